namespace Queueing.Local.Waylay.Webscripts;

/// <summary>
/// The Node.js program of <see cref="WebscriptHost"/>, run with <c>node -e</c>. It loads every webscript of a
/// folder (a file declaring <c>handleRequest(req, res)</c>, as Waylay runs them), serves <c>POST /{name}</c> on a
/// loopback port with an Express-like <c>req</c>/<c>res</c>, and prints <c>{"port": N}</c> when listening.
/// Webscripts log to stderr; stdout carries only that line.
/// </summary>
internal static class WebscriptHostScript
{
    public const string Source = """
        'use strict'
        const http = require('node:http')
        const fs = require('node:fs')
        const path = require('node:path')
        const { Console } = require('node:console')

        if (Number(process.versions.node.split('.')[0]) < 18) {
          console.error(`Node.js ${process.versions.node} is too old: webscripts need Node.js 18 or later (global fetch)`)
          process.exit(3)
        }
        const dir = process.env.QUEUEING_WEBSCRIPTS_DIR
        const timeoutMs = Number(process.env.QUEUEING_WEBSCRIPT_TIMEOUT_MS || 30000)
        const scriptConsole = new Console(process.stderr, process.stderr)
        const handlers = new Map()
        for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.js')).sort()) {
          const name = file.slice(0, -3)
          const full = path.join(dir, file)
          const source = fs.readFileSync(full, 'utf8')
          const module = { exports: {} }
          let handler
          try {
            handler = new Function('require', 'module', 'exports', '__filename', '__dirname', 'console', 'process', 'fetch', 'Buffer',
              source + '\n;return typeof handleRequest === "function" ? handleRequest' +
              ' : (typeof module.exports === "function" ? module.exports : module.exports.handleRequest)')(
              require, module, module.exports, full, dir, scriptConsole, process, fetch, Buffer)
          } catch (err) {
            console.error(`webscript ${file} does not load: ${err.stack || err}`)
            process.exit(3)
          }
          if (typeof handler !== 'function') {
            console.error(`webscript ${file} declares no handleRequest(req, res)`)
            process.exit(3)
          }
          handlers.set(name, handler)
        }

        function answerOf (done) {
          const answer = { status: 200, headers: {}, body: '' }
          const res = {
            statusCode: 200,
            status (code) { answer.status = res.statusCode = code; return res },
            set (name, value) {
              if (typeof name === 'object') { for (const [k, v] of Object.entries(name)) res.set(k, v); return res }
              answer.headers[String(name).toLowerCase()] = String(value); return res
            },
            header (name, value) { return res.set(name, value) },
            type (value) { return res.set('content-type', value.includes('/') ? value : (value === 'json' ? 'application/json' : 'text/' + value)) },
            send (body) {
              if (body === undefined || body === null) body = ''
              if (Buffer.isBuffer(body)) { answer.body = body } else if (typeof body === 'object') {
                if (!answer.headers['content-type']) res.set('content-type', 'application/json')
                answer.body = JSON.stringify(body)
              } else {
                if (!answer.headers['content-type']) res.set('content-type', 'text/html; charset=utf-8')
                answer.body = String(body)
              }
              done(answer); return res
            },
            json (value) { res.set('content-type', 'application/json'); return res.send(JSON.stringify(value)) },
            sendStatus (code) { res.status(code); if (!answer.headers['content-type']) res.set('content-type', 'text/plain'); return res.send(http.STATUS_CODES[code] || String(code)) },
            end (body) { return res.send(body) }
          }
          return res
        }

        const server = http.createServer((request, response) => {
          const url = new URL(request.url, 'http://localhost')
          const name = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''))
          const handler = handlers.get(name)
          const chunks = []
          request.on('data', c => chunks.push(c))
          request.on('end', () => {
            let finished = false
            const finish = (answer) => {
              if (finished) return
              finished = true
              clearTimeout(timer)
              response.writeHead(answer.status, answer.headers)
              response.end(answer.body)
            }
            const timer = setTimeout(() => finish({ status: 504, headers: { 'content-type': 'text/plain' }, body: `webscript ${name} did not answer within ${timeoutMs} ms` }), timeoutMs)
            if (!handler) {
              return finish({ status: 404, headers: { 'content-type': 'text/plain' }, body: `no webscript named '${name}'` })
            }
            const raw = Buffer.concat(chunks).toString('utf8')
            let body = raw
            if ((request.headers['content-type'] || '').includes('json') && raw.length > 0) {
              try { body = JSON.parse(raw) } catch (err) {
                return finish({ status: 400, headers: { 'content-type': 'text/plain' }, body: `invalid JSON body: ${err.message}` })
              }
            }
            const req = { method: request.method, path: '/' + name, url: request.url, headers: request.headers, query: Object.fromEntries(url.searchParams), body, rawBody: raw }
            const fail = err => {
              scriptConsole.error(`webscript ${name} failed: ${err && err.stack ? err.stack : err}`)
              finish({ status: 500, headers: { 'content-type': 'text/plain' }, body: `webscript ${name} failed: ${err && err.message ? err.message : err}` })
            }
            try {
              Promise.resolve(handler(req, answerOf(finish))).then(() => {
                // Express leaves a request that was never answered hanging; the timeout above answers 504.
              }, fail)
            } catch (err) { fail(err) }
          })
        })
        server.listen(0, '127.0.0.1', () => {
          process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
        })
        process.stdin.on('end', () => process.exit(0))
        process.stdin.resume()
        """;
}
