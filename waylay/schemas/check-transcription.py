#!/usr/bin/env python3
"""Checks (or rewrites) our transcription of Waylay's published contracts.

The project validates Waylay request bodies (rule templates, tasks, plug manifests) against JSON Schemas in this
folder. No package that the project can install ships Waylay's OpenAPI documents or a template schema (npm
@waylay/client 2.37.0 ships API code only), so these schemas are OUR TRANSCRIPTION of the components of the
published OpenAPI documents: Waylay rules engine 6.20.0 and Waylay Function Registry 2.24.1.

This script derives the same JSON Schemas from the published YAML and compares them with the committed files:

    python3 waylay/schemas/check-transcription.py                      # looks for ../shared/reference beside the repo
    python3 waylay/schemas/check-transcription.py --spec-dir DIR       # a folder with the two OpenAPI YAML files
    python3 waylay/schemas/check-transcription.py --write              # rewrite the committed files from the YAML

Exit codes: 0 the transcription matches, 1 it differs (the difference is printed), 2 nothing could be compared
(the published YAML files are not there). Needs PyYAML (installed with moto[server], which .ci/run installs).
The tests never run this: a clone has no published YAML, and the repository must not load files from outside it.
"""
import argparse
import datetime
import difflib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent

# (output file, spec file, $id, the components the project validates against; their closure is transcribed)
CONTRACTS = [
    ("waylay-rules.schema.json", "waylay-rules.openapi.yaml", "urn:queueing:waylay:rules",
     ["TemplateEntity", "TaskSpecification"]),
    ("waylay-registry.schema.json", "waylay-registry.openapi.yaml", "urn:queueing:waylay:registry",
     ["IPlugManifest"]),
]

# Keywords that document but do not constrain; dropped so the files stay readable.
DROPPED = {"example", "examples", "externalDocs", "xml", "discriminator"}


def convert(node, openapi_30):
    if isinstance(node, list):
        return [convert(item, openapi_30) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = value.replace("#/components/schemas/", "#/$defs/")
        elif key == "deprecated" and not isinstance(value, bool):
            continue  # the registry document puts sentences here; JSON Schema wants a boolean
        elif key == "nullable" and openapi_30:
            continue  # handled below
        elif key in ("properties", "patternProperties", "$defs"):
            out[key] = {name: convert(schema, openapi_30) for name, schema in value.items()}
        else:
            out[key] = convert(value, openapi_30)
    if openapi_30 and node.get("nullable") is True and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                yield value.rsplit("/", 1)[1]
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def transcribe(spec, spec_name, schema_id, roots):
    schemas = spec["components"]["schemas"]
    wanted, todo = [], list(roots)
    while todo:
        name = todo.pop(0)
        if name in wanted:
            continue
        wanted.append(name)
        todo.extend(references(schemas[name]))
    openapi_30 = str(spec["openapi"]).startswith("3.0")
    info = spec["info"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": f"Transcription of {info['title']} {info['version']} (components {', '.join(roots)})",
        "$comment": (
            f"OUR TRANSCRIPTION, not a file published by Waylay: components/schemas {', '.join(sorted(wanted))} of "
            f"'{info['title']}' OpenAPI {spec['openapi']}, API version {info['version']} ({spec_name}), converted to "
            "JSON Schema 2020-12 by waylay/schemas/check-transcription.py (refs to #/$defs, examples and x- keys "
            "dropped, nullable -> type null, non-boolean deprecated dropped). Transcribed 2026-12-06. "
            "Check it against the published YAML with that script."),
        "$defs": {name: convert(schemas[name], openapi_30) for name in sorted(wanted)},
    }


def render(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec-dir", type=pathlib.Path, default=REPO.parent / "shared" / "reference")
    parser.add_argument("--write", action="store_true", help="rewrite the committed schemas from the YAML")
    args = parser.parse_args()

    import yaml  # PyYAML

    missing = [spec for _, spec, _, _ in CONTRACTS if not (args.spec_dir / spec).is_file()]
    if missing:
        print(f"Nothing compared: {', '.join(missing)} not found in {args.spec_dir}. "
              "Give the folder holding Waylay's published OpenAPI YAML with --spec-dir.")
        return 2

    differs = False
    for output, spec_name, schema_id, roots in CONTRACTS:
        spec = yaml.safe_load((args.spec_dir / spec_name).read_text(encoding="utf-8"))
        expected = render(transcribe(spec, spec_name, schema_id, roots))
        target = HERE / output
        if args.write:
            target.write_text(expected, encoding="utf-8")
            print(f"wrote {target.relative_to(REPO)} from {spec_name}")
            continue
        actual = target.read_text(encoding="utf-8") if target.is_file() else ""
        if actual == expected:
            print(f"{output}: matches {spec_name} ({len(json.loads(expected)['$defs'])} schemas)")
        else:
            differs = True
            print(f"{output}: DIFFERS from {spec_name}:")
            sys.stdout.writelines(difflib.unified_diff(
                actual.splitlines(True), expected.splitlines(True), f"committed/{output}", f"published/{spec_name}"))
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
