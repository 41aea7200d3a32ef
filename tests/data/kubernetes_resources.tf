resource "kubernetes_deployment_v1" "agent" {
  metadata {
    name = "agent"
  }
  spec {
    template {
      metadata {
        labels = { app = "agent" }
      }
      spec {
        host_network = true
        host_pid     = true
        host_ipc     = true
        container {
          name  = "agent"
          image = "acme/agent:1.0"
          security_context {
            privileged                 = true
            allow_privilege_escalation = true
            capabilities {
              add = ["SYS_ADMIN"]
            }
          }
        }
        volume {
          name = "root"
          host_path {
            path = "/"
          }
        }
        volume {
          name = "sock"
          host_path {
            path = "/var/run/docker.sock"
          }
        }
      }
    }
  }
}
resource "kubernetes_cluster_role_binding" "anon" {
  metadata { name = "anon" }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }
  subject {
    kind      = "User"
    name      = "system:anonymous"
    api_group = "rbac.authorization.k8s.io"
  }
}
resource "kubernetes_cluster_role" "all" {
  metadata { name = "all" }
  rule {
    api_groups = ["*"]
    resources  = ["*"]
    verbs      = ["*"]
  }
}
resource "kubernetes_cron_job_v1" "cleanup" {
  metadata { name = "cleanup" }
  spec {
    schedule = "0 3 * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            container {
              name  = "cleanup"
              image = "busybox:1.36"
              security_context {
                run_as_user = 0
              }
            }
          }
        }
      }
    }
  }
}
resource "kubernetes_pod" "web" {
  metadata { name = "web" }
  spec {
    container {
      name  = "web"
      image = "nginx:1.27"
      security_context {
        privileged = var.privileged
      }
    }
    volume {
      name = "cache"
      host_path { path = "/var/cache/web" }
    }
  }
}
