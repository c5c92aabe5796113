// Runs a Waylay webscript (a file declaring `async function handleRequest (req, res)`) once under Node.js, the
// way Waylay calls it: an Express-like req/res. Input on stdin: {"body": ..., "headers": {...}, "query": {...}}.
// Output on stdout: {"status", "headers", "body"} of the webscript's answer. Exit code 3 if it never answered.
// Usage: node waylay/test/run-webscript.mjs waylay/webscripts/send-command.js < request.json
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Console } from 'node:console'

const [scriptPath] = process.argv.slice(2)
if (!scriptPath) {
  console.error('usage: node run-webscript.mjs <webscript.js> < request.json')
  process.exit(2)
}

let input = ''
for await (const chunk of process.stdin) input += chunk
const request = JSON.parse(input || '{}')

const source = await readFile(scriptPath, 'utf8')
// The webscript's own logging goes to stderr, so stdout carries only the answer.
const scriptConsole = new Console(process.stderr, process.stderr)
const handleRequest = new Function('require', 'process', 'console', 'fetch', 'Buffer', `${source}\nreturn handleRequest`)(
  createRequire(import.meta.url), process, scriptConsole, fetch, Buffer)

const answer = { status: 200, headers: {}, body: undefined, sent: false }
const res = {
  status (code) { answer.status = code; return res },
  set (name, value) { answer.headers[name.toLowerCase()] = String(value); return res },
  send (body) { answer.body = typeof body === 'string' ? body : JSON.stringify(body); answer.sent = true; return res },
  json (value) { res.set('Content-Type', 'application/json'); return res.send(JSON.stringify(value)) },
  sendStatus (code) { return res.status(code).send(String(code)) }
}

await handleRequest({ method: 'POST', body: request.body, headers: request.headers || {}, query: request.query || {} }, res)
if (!answer.sent) {
  console.error('the webscript returned without answering its caller')
  process.exit(3)
}
process.stdout.write(JSON.stringify({ status: answer.status, headers: answer.headers, body: answer.body }))
