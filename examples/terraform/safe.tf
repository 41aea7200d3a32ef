# The same resources, written the way a reviewer would accept them. Blastguard is silent here.

provider "aws" {
  region = "eu-west-1" # credentials come from the environment or an assumed role
}

resource "aws_s3_bucket" "customer_uploads" {
  bucket = "acme-customer-uploads"
}

resource "aws_s3_bucket_public_access_block" "customer_uploads" {
  bucket                  = aws_s3_bucket.customer_uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_db_instance" "orders" {
  identifier                = "orders"
  engine                    = "postgres"
  instance_class            = "db.t3.medium"
  allocated_storage         = 100
  username                  = "orders"
  password                  = var.db_password
  skip_final_snapshot       = false
  final_snapshot_identifier = "orders-final"
  deletion_protection       = true
  backup_retention_period   = 14
  publicly_accessible       = false
}

resource "aws_security_group" "web" {
  name = "web"

  ingress {
    description = "HTTPS from anywhere is what a web server is for"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "SSH from the office VPN only"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
}

data "aws_iam_policy_document" "deployer" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::acme-artifacts/*"]
  }
}

resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}

resource "google_project_iam_member" "contractor" {
  project = "acme-prod"
  role    = "roles/viewer"
  member  = "user:contractor@example.com"
}
