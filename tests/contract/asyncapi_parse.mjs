// Parses an AsyncAPI document with the official parser; exits 1 when it reports an error.
// Usage: node asyncapi_parse.mjs <file>. Every diagnostic is printed, one per line.
import avroSchemaParser from '@asyncapi/avro-schema-parser';
import asyncapiParser from '@asyncapi/parser';

const { AvroSchemaParser } = avroSchemaParser;
const { DiagnosticSeverity, Parser, fromFile } = asyncapiParser;

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node asyncapi_parse.mjs <asyncapi document>');
  process.exit(2);
}

const parser = new Parser();
// Without it the parser cannot check Avro payloads and reports them as an unknown format.
parser.registerSchemaParser(AvroSchemaParser());

const { document, diagnostics } = await fromFile(parser, file).parse();
for (const diagnostic of diagnostics) {
  const where = diagnostic.path.join('/') || '/';
  console.log(`${DiagnosticSeverity[diagnostic.severity]} ${diagnostic.code} at ${where}: ${diagnostic.message}`);
}
const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error);
if (document === undefined || errors.length > 0) {
  console.error(`${file}: ${errors.length} error(s); the document is not valid AsyncAPI`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}, ${document.channels().length} channel(s)`);
