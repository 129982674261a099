/** Writes docs/api/openapi.json and docs/api/asyncapi.json from the zod contracts (`npm run api-docs`). */
import fs from 'node:fs';
import path from 'node:path';
import { API_DOC_FILES, buildAsyncApi, buildOpenApi, renderDocument } from '@lifeline/contracts/docs';

const root = path.resolve(__dirname, '..');
const documents = { [API_DOC_FILES.openapi]: buildOpenApi(), [API_DOC_FILES.asyncapi]: buildAsyncApi() };
for (const [file, doc] of Object.entries(documents)) {
  const target = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const text = renderDocument(doc);
  const changed = !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text;
  if (changed) fs.writeFileSync(target, text);
  process.stdout.write(`${file}: ${changed ? 'written' : 'unchanged'}\n`);
}
