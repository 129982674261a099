import fs from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/** The official OASIS CAP 1.2 schema, committed beside the service (nothing is downloaded at test time). */
const CAP_XSD = fs.readFileSync(path.join(__dirname, '..', 'schema', 'CAP-v1.2.xsd'), 'utf8');

/** Validate a document against the CAP 1.2 schema with libxml2 (compiled to WebAssembly). */
export function validateCap(xml: string) {
  return validateXML({ xml: [{ fileName: 'alert.xml', contents: xml }], schema: [{ fileName: 'CAP-v1.2.xsd', contents: CAP_XSD }] });
}
