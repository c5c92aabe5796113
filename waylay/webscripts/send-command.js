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
 *   X-Queueing-Signature = "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + rawBody)).
 */
const crypto = require('crypto')

const REQUEST_TIMEOUT_MS = 10000

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

function sign (secret, timestamp, body) {
  return 'v1=' + crypto.createHmac('sha256', secret).update(timestamp + '.' + body, 'utf8').digest('hex')
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

  const body = JSON.stringify(command)
  const timestamp = Math.floor(Date.now() / 1000).toString()
  const headers = {
    'Content-Type': 'application/json',
    'X-Queueing-Timestamp': timestamp,
    'X-Queueing-Signature': sign(secret, timestamp, body)
  }
  const idempotencyKey = (req.body && req.body.idempotencyKey) || (req.headers && req.headers['idempotency-key'])
  if (idempotencyKey) {
    headers['Idempotency-Key'] = String(idempotencyKey)
  }

  let response
  let text
  try {
    response = await fetch(apiUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    text = await response.text()
  } catch (err) {
    console.error('command API unreachable:', err.message)
    return problem(res, 502, 'Command API unreachable', `POST ${apiUrl} failed: ${err.message}`)
  }

  if (response.status >= 400) {
    console.error(`command API answered ${response.status}: ${text}`)
  }
  res.status(response.status)
  res.set('Content-Type', response.headers.get('content-type') || 'application/json')
  res.send(text)
}
