namespace Queueing.Emulators.Waylay.Plugs;

/// <summary>
/// The Node.js program of <see cref="PlugHost"/>, run with <c>node -e</c>. It loads every plug of a folder (a
/// module exporting <c>function (options, send)</c>, the form of Waylay's published plugs), and executes them the
/// way the rules engine does (Waylay, "Writing custom sensors and actuators"): <c>options.requiredProperties</c> is
/// the actuator's properties (placeholders already filled in by the rule engine), <c>options.globalSettings</c> the
/// tenant's global settings (none here), <c>send(err, result)</c> ends the execution, the global
/// <c>waylay.vault.get(key)</c> reads the tenant's vault (Waylay, "Vault": a promise of the value) and
/// <c>waylay.alarms.create(alarm)</c> raises an alarm on the sandbox's alarm service as the tenant (Waylay's
/// JavaScript client <c>@waylay/client</c>, <c>alarms.create</c>: a promise of the created alarm). It serves
/// Waylay's documented plug execution call on a loopback port:
/// <c>POST /rules/v1/actions/{name}/versions/{version}</c> with <c>{"properties", "resource"}</c>, answering 200
/// <c>{"result": true, "rawData"}</c> or 400 <c>{"result": false, "error"}</c> (the rules OpenAPI's
/// <c>ActuatorExecutionResult</c>), and prints <c>{"port": N}</c> when listening. Plugs log to stderr; stdout
/// carries only that line. The vault and the API credentials arrive in environment variables that are removed before
/// any plug loads.
/// </summary>
internal static class PlugHostScript
{
    public const string VaultVariable = "WAYLAY_SANDBOX_VAULT";
    public const string PluginsVariable = "WAYLAY_SANDBOX_PLUGINS";
    public const string TimeoutVariable = "WAYLAY_SANDBOX_PLUG_TIMEOUT_MS";
    public const string AlarmsUrlVariable = "WAYLAY_SANDBOX_ALARMS_URL";
    public const string ApiAuthVariable = "WAYLAY_SANDBOX_API_AUTH";

    public const string Source = """
        'use strict'
        const http = require('node:http')
        const fs = require('node:fs')
        const path = require('node:path')
        const { Console } = require('node:console')

        const vault = JSON.parse(process.env.WAYLAY_SANDBOX_VAULT || '{}')
        const plugins = JSON.parse(process.env.WAYLAY_SANDBOX_PLUGINS || '[]')
        const timeoutMs = Number(process.env.WAYLAY_SANDBOX_PLUG_TIMEOUT_MS || 50000)
        const alarmsUrl = process.env.WAYLAY_SANDBOX_ALARMS_URL || ''
        const apiAuth = process.env.WAYLAY_SANDBOX_API_AUTH || ''
        delete process.env.WAYLAY_SANDBOX_VAULT
        delete process.env.WAYLAY_SANDBOX_PLUGINS
        delete process.env.WAYLAY_SANDBOX_PLUG_TIMEOUT_MS
        delete process.env.WAYLAY_SANDBOX_ALARMS_URL
        delete process.env.WAYLAY_SANDBOX_API_AUTH

        const plugConsole = new Console(process.stderr, process.stderr)
        globalThis.console = plugConsole
        // POST of a JSON body to one of the tenant's services, authenticated as the tenant (as Waylay's client in a
        // plug is); resolves with the parsed answer, rejects as that client (axios) does on a status outside 2xx:
        // "Request failed with status code N", with response.status and response.data.
        function postJson (base, path, body) {
          return new Promise((resolve, reject) => {
            const data = Buffer.from(JSON.stringify(body), 'utf8')
            const request = http.request(new URL(path, base), {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'content-length': data.length, authorization: `Basic ${apiAuth}` }
            }, response => {
              const chunks = []
              response.on('data', c => chunks.push(c))
              response.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8')
                let parsed = text
                try { parsed = JSON.parse(text) } catch (err) { }
                if (response.statusCode >= 200 && response.statusCode < 300) return resolve(parsed)
                reject(Object.assign(new Error(`Request failed with status code ${response.statusCode}`),
                  { response: { status: response.statusCode, data: parsed } }))
              })
              response.on('error', reject)
            })
            request.on('error', reject)
            request.end(data)
          })
        }

        // The Waylay client the sandbox gives plugs: the vault and the alarm service's create call, which is what
        // the shipped plugs use.
        globalThis.waylay = Object.freeze({
          vault: Object.freeze({
            get: async key => {
              if (!Object.prototype.hasOwnProperty.call(vault, key)) {
                throw Object.assign(new Error(`Request failed with status code 404 (vault key ${key} not found)`), { status: 404 })
              }
              return vault[key]
            }
          }),
          alarms: Object.freeze({
            create: async alarm => {
              if (!alarmsUrl) throw new Error('the Waylay sandbox runs no alarm service for this plug host')
              return postJson(alarmsUrl, 'alarms/v1/alarms', alarm)
            }
          })
        })

        const plugs = new Map()
        for (const plug of plugins) {
          let fn
          try {
            fn = require(path.resolve(plug.directory, plug.main))
          } catch (err) {
            console.error(`plug ${plug.name} ${plug.version} does not load: ${err.stack || err}`)
            process.exit(3)
          }
          if (typeof fn !== 'function') {
            console.error(`plug ${plug.name} ${plug.version}: ${plug.main} does not export function (options, send)`)
            process.exit(3)
          }
          plugs.set(`${plug.name}@${plug.version}`, fn)
        }

        function execute (fn, spec) {
          return new Promise(resolve => {
            let done = false
            const finish = (status, result) => {
              if (done) return
              done = true
              clearTimeout(timer)
              resolve({ status, result })
            }
            const timer = setTimeout(() => finish(400, { result: false, error: `the plug did not call send() within ${timeoutMs} ms` }), timeoutMs)
            const send = (err, value) => {
              if (done) {
                plugConsole.error('the plug called send() more than once; the later call is ignored')
                return
              }
              if (err) {
                finish(400, { result: false, error: err && err.message ? err.message : String(err) })
              } else {
                finish(200, { result: true, rawData: value && value.rawData !== undefined ? value.rawData : {} })
              }
            }
            const options = { requiredProperties: spec.properties || {}, globalSettings: {} }
            try {
              const returned = fn(options, send)
              if (returned && typeof returned.then === 'function') {
                returned.then(undefined, err => finish(400, { result: false, error: `the plug failed: ${err && err.message ? err.message : err}` }))
              }
            } catch (err) {
              finish(400, { result: false, error: `the plug failed: ${err && err.message ? err.message : err}` })
            }
          })
        }

        const route = /^\/rules\/v1\/actions\/([^/]+)\/versions\/([^/]+)$/
        const server = http.createServer((request, response) => {
          const chunks = []
          request.on('data', c => chunks.push(c))
          request.on('end', async () => {
            const answer = (status, body) => {
              response.writeHead(status, { 'content-type': 'application/json' })
              response.end(JSON.stringify(body))
            }
            const match = request.method === 'POST' && route.exec(new URL(request.url, 'http://localhost').pathname)
            if (!match) return answer(404, { statusCode: 404, error: `no route ${request.method} ${request.url}` })
            const fn = plugs.get(`${decodeURIComponent(match[1])}@${decodeURIComponent(match[2])}`)
            if (!fn) return answer(404, { statusCode: 404, error: `Actuator ${decodeURIComponent(match[1])}:${decodeURIComponent(match[2])} not found` })
            let spec
            try { spec = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') } catch (err) {
              return answer(400, { statusCode: 400, error: `invalid JSON body: ${err.message}` })
            }
            const { status, result } = await execute(fn, spec)
            answer(status, result)
          })
        })
        server.listen(0, '127.0.0.1', () => {
          process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
        })
        process.stdin.on('end', () => process.exit(0))
        process.stdin.resume()
        """;
}
