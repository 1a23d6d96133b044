// Validates a JSON document with ajv 8 (JSON Schema 2020-12) against one of the project's schemas,
// as an outside reader of the open data would: every schema file of a folder is added by its $id,
// so cross-file $refs resolve. Prints {"valid": bool, "errors": [...]} on stdout.
// Usage: node ajv_validate.cjs <schema folder> <schema $id> <document.json>
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const [schemaDir, schemaId, documentPath] = process.argv.slice(2);
// strict: unknown keywords and formats are errors, so the project's own annotations (x-hint ...)
// and its one format of its own (partial-date) are declared below, not silently ignored.
const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
// YYYY, YYYY-MM or YYYY-MM-DD with a real month and day (the Python validator checks the calendar too).
ajv.addFormat("partial-date", /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/);
const annotations = new Set();
const schemas = fs
  .readdirSync(schemaDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8")));
const collect = (node) => {
  if (Array.isArray(node)) return node.forEach(collect);
  if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) annotations.add(key);
      if (key !== "examples" && key !== "enum" && key !== "const") collect(value);
    }
  }
};
schemas.forEach(collect);
for (const keyword of annotations) ajv.addKeyword(keyword);
for (const schema of schemas) ajv.addSchema(schema);
const validate = ajv.getSchema(schemaId);
if (!validate) {
  console.error(`no schema with $id ${schemaId} in ${schemaDir}`);
  process.exit(2);
}
const valid = validate(JSON.parse(fs.readFileSync(documentPath, "utf8")));
console.log(JSON.stringify({ valid, errors: validate.errors || [] }));
