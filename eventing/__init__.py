"""The Avro event contract: schemas, single-object encoding and CloudEvents headers."""
