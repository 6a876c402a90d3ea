"""The outbox relay: publishes committed outbox rows to RabbitMQ with publisher confirms."""
