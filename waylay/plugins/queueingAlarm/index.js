/*
 * Queueing — Waylay actuator plug `queueingAlarm` 1.0.0: raises an alarm on the tenant's alarm service for a resource.
 *
 * The plug contract is queueingCommand's (Waylay, "Writing custom sensors and actuators",
 * https://docs.waylay.io/plugins/sensors-and-actuators/): `options.requiredProperties` holds the actuator's properties
 * with the rules engine's placeholders ({{RESOURCE}}, ...) filled in; the plug calls `send` exactly once.
 *
 * Alarms: Waylay's alarm service (https://docs.waylay.io/features/alarms/, Alarms OpenAPI 1.11.0 `CreateAlarm`:
 * `type`, `text`, `severity` CRITICAL | MAJOR | MINOR | WARNING, `source: { id }` required). It is called through the
 * Waylay client every plug has as the global `waylay` (the same client whose `waylay.vault.get` queueingCommand uses;
 * `@waylay/client` `alarms.create`), so the plug needs no credential of its own. While an alarm of the same type is
 * ACTIVE or ACKNOWLEDGED for the resource, the service counts the new one on it (`count`) instead of creating another.
 *
 * Properties (plug.json `interface.input`), all required:
 *   resource  the resource the alarm is about: "{{RESOURCE}}" (the AWS IoT thing name)
 *   type      the alarm type, e.g. "Queueing command not acknowledged"
 *   severity  CRITICAL, MAJOR, MINOR or WARNING
 *   text      what happened, for the operator
 *
 * Succeeds with rawData { alarmId, alarmStatus, count }; fails with the alarm service's reason. Built-in modules only.
 */
'use strict'
/* global waylay */

const PROPERTIES = ['resource', 'type', 'severity', 'text']
const SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING']

class PlugError extends Error {}

function buildAlarm (properties) {
  if (properties === null || typeof properties !== 'object') {
    throw new PlugError(`the actuator has no properties; ${PROPERTIES.join(', ')} are required`)
  }
  const unknown = Object.keys(properties).filter(name => !PROPERTIES.includes(name))
  if (unknown.length > 0) {
    throw new PlugError(`unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}; the properties are ${PROPERTIES.join(', ')}`)
  }
  for (const name of PROPERTIES) {
    const value = properties[name]
    if (typeof value !== 'string' || value.trim() === '') {
      throw new PlugError(`${name} is required${name === 'resource' ? ' (the Waylay resource; use "{{RESOURCE}}")' : ''}`)
    }
  }
  if (!SEVERITIES.includes(properties.severity)) {
    throw new PlugError(`severity must be one of ${SEVERITIES.join(', ')} (got "${properties.severity}")`)
  }
  return { type: properties.type, severity: properties.severity, text: properties.text, source: { id: properties.resource } }
}

// The alarm service's answer in one line: its error and the first details (ErrorResponseWithDetails).
function refusal (err) {
  const data = err && err.response && err.response.data
  if (data && typeof data === 'object') {
    const details = Array.isArray(data.details) ? ` (${data.details.slice(0, 5).join('; ')})` : ''
    return `${data.error || err.message}${details}`
  }
  return err && err.message ? err.message : String(err)
}

async function raiseAlarm (properties) {
  const alarm = buildAlarm(properties)
  if (typeof waylay === 'undefined' || !waylay || !waylay.alarms || typeof waylay.alarms.create !== 'function') {
    throw new PlugError('the Waylay client (waylay.alarms) is not available to this plug, so no alarm can be raised')
  }
  let created
  try {
    created = await waylay.alarms.create(alarm)
  } catch (err) {
    const status = err && err.response && err.response.status
    throw new PlugError(`the alarm service ${status ? `answered ${status}` : 'could not be reached'}: ${refusal(err)}; no alarm was raised`)
  }
  if (!created || typeof created !== 'object' || typeof created.id !== 'string') {
    throw new PlugError('the alarm service answered without the created alarm')
  }
  return { alarmId: created.id, alarmStatus: created.status, count: created.count }
}

module.exports = function queueingAlarm (options, send) {
  raiseAlarm(options && options.requiredProperties).then(
    rawData => send(null, { rawData }),
    err => send(err instanceof PlugError ? new Error(err.message) : new Error(`queueingAlarm failed: ${err && err.message ? err.message : err}`)))
}
