// Validates an OpenAPI document with @seriousme/openapi-schema-validator (the official OpenAPI JSON schemas, shipped in
// the package; nothing is downloaded). An ES module, so jest (CommonJS) runs it as a child process:
//   node validate-openapi.mjs <file>  → prints {"valid":true} or {"valid":false,"errors":[...]}
import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';

const validator = new Validator();
const result = await validator.validate(JSON.parse(fs.readFileSync(process.argv[2], 'utf8')));
process.stdout.write(`${JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] })}\n`);
