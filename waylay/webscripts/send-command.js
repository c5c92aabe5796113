/*
 * Queueing — Waylay webscript: send a signed command to the Queueing command API.
 *
 * Called by the actuators of waylay/templates/light-threshold.json with a JSON body:
 *   { "deviceId": "lamp-1", "payload": <JSON value, or a string holding JSON>, "ttlSeconds"?: 60, "qos"?: 1,
 *     "idempotencyKey"?: "..." }
 * It signs { deviceId, payload, ttlSeconds?, qos? } with the shared secret and POSTs it to the command API,
 * then answers its own caller with the API's status and body — on success and on every error.
 *
 * Configuration (webscript secrets, read from process.env; nothing else in the script is secret):
 *   COMMAND_API_URL         https://<api-id>.execute-api.<region>.amazonaws.com/commands
 *   COMMAND_SIGNING_SECRET  the value of the SSM parameter /queueing/command-signing-secret
 * No AWS credential is involved: the API authenticates the HMAC signature, and only AWS publishes to devices.
 *
 * Signing scheme (docs/commands.md): X-Queueing-Timestamp = Unix seconds,
 *   X-Queueing-Signature = "v1=" + hex(HMAC-SHA256(secret,
 *     timestamp + "\n" + "POST" + "\n" + URL path + "\n" + Idempotency-Key (or "") + "\n" + rawBody)).
 * Its answers never repeat its configuration: the URL and the secret stay out of every body and log line.
 */
const crypto = require('crypto')

const REQUEST_TIMEOUT_MS = 10000
// The AWS IoT thing-name alphabet, which the command API enforces too: refused here before anything is signed.
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/
// Printable ASCII without spaces, as the command API accepts it.
const IDEMPOTENCY_KEY = /^[!-~]{1,128}$/

function config () {
  return {
    apiUrl: process.env.COMMAND_API_URL,
    secret: process.env.COMMAND_SIGNING_SECRET
  }
}

function problem (res, status, title, detail) {
  res.status(status)
  res.set('Content-Type', 'application/problem+json')
  res.send(JSON.stringify({ type: 'urn:queueing:problem:webscript', title, status, detail }))
}

// Waylay actuator properties are usually strings: a payload given as a string is JSON text, numbers may be quoted.
function buildCommand (input) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error('the request body must be a JSON object with deviceId and payload')
  }
  if (typeof input.deviceId !== 'string' || input.deviceId.length === 0) {
    throw new Error('deviceId (the Waylay resource, i.e. the AWS IoT thing name) is required')
  }
  if (!THING_NAME.test(input.deviceId)) {
    throw new Error("deviceId must be 1 to 128 characters from a-z, A-Z, 0-9, ':', '_' and '-' (an AWS IoT thing name)")
  }
  if (!('payload' in input)) {
    throw new Error('payload is required')
  }
  let payload = input.payload
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload)
    } catch (err) {
      throw new Error(`payload is a string but not JSON text: ${err.message}`)
    }
  }
  const command = { deviceId: input.deviceId, payload }
  for (const name of ['ttlSeconds', 'qos']) {
    if (input[name] !== undefined && input[name] !== null && input[name] !== '') {
      const value = Number(input[name])
      if (!Number.isInteger(value)) {
        throw new Error(`${name} must be an integer`)
      }
      command[name] = value
    }
  }
  return command
}

function sign (secret, timestamp, path, idempotencyKey, body) {
  const stringToSign = [timestamp, 'POST', path, idempotencyKey || '', body].join('\n')
  return 'v1=' + crypto.createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex')
}

async function handleRequest (req, res) {
  const { apiUrl, secret } = config()
  if (!apiUrl || !secret) {
    return problem(res, 500, 'Webscript not configured', 'Set the COMMAND_API_URL and COMMAND_SIGNING_SECRET secrets of this webscript.')
  }

  let command
  try {
    command = buildCommand(typeof req.body === 'string' ? JSON.parse(req.body) : req.body)
  } catch (err) {
    return problem(res, 400, 'Invalid command', err.message)
  }

  const idempotencyKey = (req.body && req.body.idempotencyKey) || (req.headers && req.headers['idempotency-key'])
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(String(idempotencyKey))) {
    return problem(res, 400, 'Invalid command', 'idempotencyKey must be 1 to 128 printable ASCII characters without spaces')
  }

  let path
  try {
    path = new URL(apiUrl).pathname
  } catch (err) {
    return problem(res, 500, 'Webscript not configured', 'COMMAND_API_URL is not an absolute URL.')
  }

  const body = JSON.stringify(command)
  const timestamp = Math.floor(Date.now() / 1000).toString()
  const headers = {
    'Content-Type': 'application/json',
    'X-Queueing-Timestamp': timestamp,
    'X-Queueing-Signature': sign(secret, timestamp, path, idempotencyKey && String(idempotencyKey), body)
  }
  if (idempotencyKey) {
    headers['Idempotency-Key'] = String(idempotencyKey)
  }

  let response
  let text
  try {
    response = await fetch(apiUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    text = await response.text()
  } catch (err) {
    // The URL is configuration (and may carry a key): it stays out of the answer and the log.
    console.error('command API unreachable:', err.name)
    return problem(res, 502, 'Command API unreachable', `The command API could not be reached (${err.name === 'TimeoutError' ? 'timed out' : 'connection failed'}); the command was not sent.`)
  }

  if (response.status >= 400) {
    console.error(`command API answered ${response.status}: ${text}`)
  }
  res.status(response.status)
  res.set('Content-Type', response.headers.get('content-type') || 'application/json')
  res.send(text)
}
