"""Static checks of the deployment artifacts: Dockerfile, docker-compose.yml and deploy/k8s."""
