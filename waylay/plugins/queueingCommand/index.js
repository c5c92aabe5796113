/*
 * Queueing — Waylay actuator plug `queueingCommand` 1.0.0: sends one signed command to the Queueing command API.
 *
 * The plug contract (Waylay, "Writing custom sensors and actuators", https://docs.waylay.io/plugins/sensors-and-actuators/;
 * the same module form as Waylay's published plugs, github.com/waylayio/Sensors-modules): the rules engine calls
 * this function with `options` and `send`. `options.requiredProperties` holds the actuator's properties as the
 * template configures them, with `{{RESOURCE}}` already replaced by the task's resource. The plug calls `send`
 * exactly once: `send(null, { rawData })` when the command API accepted the command, `send(error)` otherwise, so
 * a refused or lost command shows as a failed actuator in the task log instead of passing silently.
 *
 * Properties (plug.json `interface.input`):
 *   deviceId        required  the AWS IoT thing name, i.e. the Waylay resource: "{{RESOURCE}}"
 *   payload         required  the command for the device: JSON text (Waylay properties are text) or a JSON value
 *   ttlSeconds      optional  integer, how long the command stays meaningful (the API's default otherwise)
 *   qos             optional  0 or 1
 *   idempotencyKey  optional  1-128 printable ASCII characters without spaces (see docs/commands.md, Idempotency);
 *                             default: a random key per execution, so two firings are two commands
 *
 * Configuration: two entries of the tenant's Waylay vault (https://docs.waylay.io/features/vault/, read with
 * `waylay.vault.get`), written by `waylay/deploy`:
 *   QUEUEING_COMMAND_API_URL         https://<api-id>.execute-api.<region>.amazonaws.com/commands
 *   QUEUEING_COMMAND_SIGNING_SECRET  the value of the SSM parameter /queueing/command-signing-secret (>= 32 bytes)
 * The vault is the one place Waylay holds the secret. No AWS credential is involved: the API authenticates the
 * HMAC signature, and only AWS publishes to devices. Neither value ever appears in a result, an error or a log line.
 *
 * Signing (docs/commands.md, "Signing"): X-Queueing-Timestamp = Unix seconds; X-Queueing-Signature = "v1=" +
 * hex(HMAC-SHA256(secret, timestamp + "\n" + "POST" + "\n" + URL path + "\n" + Idempotency-Key (or "") + "\n" + body)).
 *
 * Retries: a 429, a 503 or a failed connection is retried with the very same signed bytes (at most 3 attempts,
 * within 30 s, below Waylay's default actuator timeout of PT50S). The API deduplicates an identical signed request,
 * so a retry can never become a second command.
 *
 * Only Node.js built-in modules are used (crypto, http, https), so the plug needs no package from the sandbox.
 */
'use strict'
/* global waylay */

const crypto = require('crypto')
const http = require('http')
const https = require('https')

const VAULT_URL_KEY = 'QUEUEING_COMMAND_API_URL'
const VAULT_SECRET_KEY = 'QUEUEING_COMMAND_SIGNING_SECRET'
const PROPERTIES = ['deviceId', 'payload', 'ttlSeconds', 'qos', 'idempotencyKey']
// The AWS IoT thing-name alphabet, which the command API enforces too: refused here before anything is signed.
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/
// Printable ASCII without spaces, as the command API accepts it.
const IDEMPOTENCY_KEY = /^[!-~]{1,128}$/
const MIN_SECRET_BYTES = 32
const ATTEMPT_TIMEOUT_MS = 10000
const BUDGET_MS = 30000
const RETRY_DELAYS_MS = [500, 1500]

class PlugError extends Error {}

function buildCommand (properties) {
  if (properties === null || typeof properties !== 'object') {
    throw new PlugError('the actuator has no properties; deviceId and payload are required')
  }
  const unknown = Object.keys(properties).filter(name => !PROPERTIES.includes(name))
  if (unknown.length > 0) {
    throw new PlugError(`unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}; the properties are ${PROPERTIES.join(', ')}`)
  }
  const { deviceId } = properties
  if (typeof deviceId !== 'string' || deviceId.length === 0) {
    throw new PlugError('deviceId (the Waylay resource, i.e. the AWS IoT thing name; use "{{RESOURCE}}") is required')
  }
  if (!THING_NAME.test(deviceId)) {
    throw new PlugError("deviceId must be 1 to 128 characters from a-z, A-Z, 0-9, ':', '_' and '-' (an AWS IoT thing name)")
  }
  if (properties.payload === undefined || properties.payload === '') {
    throw new PlugError('payload is required')
  }
  let payload = properties.payload
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload)
    } catch (err) {
      throw new PlugError(`payload is text but not JSON: ${err.message}`)
    }
  }
  const command = { deviceId, payload }
  for (const name of ['ttlSeconds', 'qos']) {
    const value = properties[name]
    if (value !== undefined && value !== null && value !== '') {
      const number = Number(value)
      if (!Number.isInteger(number)) {
        throw new PlugError(`${name} must be an integer`)
      }
      command[name] = number
    }
  }
  const key = properties.idempotencyKey
  const absent = key === undefined || key === null || key === ''
  if (!absent && !IDEMPOTENCY_KEY.test(String(key))) {
    throw new PlugError('idempotencyKey must be 1 to 128 printable ASCII characters without spaces')
  }
  // Without a key, the API deduplicates on the signed bytes, and its timestamp has a resolution of one second: the
  // same payload for the same device fired twice within one second (a light value flapping around the threshold:
  // on, off, on) would be one command, and the light would stay off. Each execution therefore sends its own key;
  // this execution's retries reuse it (and the very same bytes), so they stay one command.
  return { command, idempotencyKey: absent ? `queueingCommand-${crypto.randomUUID()}` : String(key) }
}

function text (value) {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return value === undefined || value === null ? undefined : String(value)
}

async function readConfiguration () {
  if (typeof waylay === 'undefined' || !waylay || !waylay.vault || typeof waylay.vault.get !== 'function') {
    throw new PlugError('the Waylay client (waylay.vault) is not available to this plug, so its configuration cannot be read')
  }
  let url, secret
  try {
    [url, secret] = (await Promise.all([waylay.vault.get(VAULT_URL_KEY), waylay.vault.get(VAULT_SECRET_KEY)])).map(text)
  } catch (err) {
    // The vault's error names the key at most; it never holds the value.
    throw new PlugError(`the vault entries ${VAULT_URL_KEY} and ${VAULT_SECRET_KEY} could not be read (${err && err.message ? err.message : err}); run waylay/deploy or set them in the vault`)
  }
  if (!url || !secret) {
    throw new PlugError(`the vault entries ${VAULT_URL_KEY} and ${VAULT_SECRET_KEY} must both be set; run waylay/deploy or set them in the vault`)
  }
  let parsed
  try {
    parsed = new URL(url)
  } catch (err) {
    throw new PlugError(`the vault entry ${VAULT_URL_KEY} is not an absolute URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new PlugError(`the vault entry ${VAULT_URL_KEY} must be an http(s) URL`)
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new PlugError(`the vault entry ${VAULT_SECRET_KEY} is shorter than ${MIN_SECRET_BYTES} bytes; the command API refuses such a secret`)
  }
  return { url: parsed, secret }
}

// Every execution sends a key (buildCommand makes one when the actuator gives none), so it is always signed.
// A string is hashed as UTF-8 (Node's default).
function sign (secret, timestamp, path, idempotencyKey, body) {
  const stringToSign = [timestamp, 'POST', path, idempotencyKey, body].join('\n')
  return 'v1=' + crypto.createHmac('sha256', secret).update(stringToSign).digest('hex')
}

// One POST; resolves with { status, headers, body }, rejects with an error whose `sent` says whether the request
// may have reached the API (a timeout) or certainly did not (a refused connection).
function post (url, headers, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, timeout: timeoutMs }, response => {
      const chunks = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    request.on('error', reject)
    request.end(body)
  })
}

const delay = ms => new Promise(resolve => setTimeout(resolve, ms))

// The API's problem document (RFC 9457) in one line: title, detail and the first field errors.
function problemText (response) {
  try {
    const problem = JSON.parse(response.body)
    const errors = Array.isArray(problem.errors)
      ? problem.errors.slice(0, 5).map(e => `${e.pointer}: ${e.detail}`).join('; ')
      : ''
    return [[problem.title, problem.detail].filter(Boolean).join(': '), errors && `(${errors})`].filter(Boolean).join(' ') ||
      response.body.slice(0, 500)
  } catch (err) {
    return response.body.slice(0, 500)
  }
}

async function sendCommand (properties) {
  const { command, idempotencyKey } = buildCommand(properties)
  const { url, secret } = await readConfiguration()
  const body = JSON.stringify(command)
  const timestamp = Math.floor(Date.now() / 1000).toString()
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Queueing-Timestamp': timestamp,
    'X-Queueing-Signature': sign(secret, timestamp, url.pathname, idempotencyKey, body),
    'Idempotency-Key': idempotencyKey
  }

  const deadline = Date.now() + BUDGET_MS
  for (let attempt = 0; ; attempt++) {
    let response
    let failure
    try {
      response = await post(url, headers, body, Math.min(ATTEMPT_TIMEOUT_MS, Math.max(1, deadline - Date.now())))
    } catch (err) {
      // The URL is configuration: only the kind of failure is reported.
      failure = err && err.code === 'ETIMEDOUT' ? 'timed out' : `connection failed (${err && err.code ? err.code : 'error'})`
    }
    const retryable = failure !== undefined || response.status === 429 || response.status === 503
    const wait = RETRY_DELAYS_MS[attempt]
    if (retryable && wait !== undefined && Date.now() + wait < deadline) {
      const retryAfter = response && Number(response.headers['retry-after'])
      await delay(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 2000) : wait)
      continue
    }
    if (failure !== undefined) {
      throw new PlugError(`command API unreachable: ${failure} after ${attempt + 1} attempt(s); the command was not sent (or, after a timeout, may have been accepted once)`)
    }
    if (response.status !== 202) {
      throw new PlugError(`command API answered ${response.status}: ${problemText(response)}`)
    }
    let accepted
    try {
      accepted = JSON.parse(response.body)
    } catch (err) {
      throw new PlugError('command API answered 202 with a body that is not JSON')
    }
    return {
      status: response.status,
      commandId: accepted.commandId,
      deviceId: accepted.deviceId,
      topic: accepted.topic,
      expiresAt: accepted.expiresAt,
      attempts: attempt + 1
    }
  }
}

module.exports = function queueingCommand (options, send) {
  sendCommand(options && options.requiredProperties).then(
    rawData => send(null, { rawData }),
    err => send(err instanceof PlugError ? new Error(err.message) : new Error(`queueingCommand failed: ${err && err.message ? err.message : err}`)))
}
