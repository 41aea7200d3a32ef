# What an assistant's suggestion can look like: each block below passes `terraform validate`,
# and each can lose data, hand out admin rights or open a server to the internet.

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIA2OGYBAH6RK4LXQZW"
  secret_key = "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"
}

resource "aws_s3_bucket" "customer_uploads" {
  bucket        = "acme-customer-uploads"
  force_destroy = true
}

resource "aws_s3_bucket_acl" "customer_uploads" {
  bucket = aws_s3_bucket.customer_uploads.id
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "customer_uploads" {
  bucket                  = aws_s3_bucket.customer_uploads.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t3.medium"
  allocated_storage       = 100
  username                = "orders"
  password                = var.db_password
  skip_final_snapshot     = true
  deletion_protection     = false
  backup_retention_period = 0
  publicly_accessible     = true
}

resource "aws_security_group" "bastion" {
  name = "bastion"

  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ci_admin" {
  role       = "ci"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "google_project_iam_member" "contractor" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "user:contractor@example.com"
}

resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "3389"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
}
