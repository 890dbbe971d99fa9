// A third-party OAuth 2.0 / OpenID Connect authorization server for the connectors' tests
// (src-tauri/crates/connectors/tests/third_party_oauth.rs): oauth2-mock-server, pinned in
// package.json, which nobody here wrote. It checks that Paysync's OAuth client follows the
// standard, not only what our own Salesforce simulator accepts.
//
//   node tests/oauth-mock/server.mjs [--exit-on-stdin-close]
//
// Listens on 127.0.0.1 on a port the OS picks, signs tokens with a freshly generated RS256 key,
// and prints one JSON line to stdout: {"issuer":"http://127.0.0.1:PORT"}. Runs until killed
// (SIGTERM/SIGINT), or, with --exit-on-stdin-close, until its stdin closes, so it never outlives
// a test process that died without cleaning up.
//
// The server's behaviour is left as the package ships it. Its hooks only report what it saw,
// one JSON line per request after the issuer line, so the tests can check what the client sent:
//   {"event":"authorize", "code_challenge", "code_challenge_method", "redirect_uri", "client_id", "has_state"}
//   {"event":"token", "status", "grant_type", "client_id", "redirect_uri", "code_verifier_s256",
//    "refresh_token_sha256"}  (only when tokens are issued: a refused request never reaches the hook)
//   {"event":"userinfo", "authorization_sha256"}
//   {"event":"revoke", "content_type"}
// Secrets are reported hashed: the verifier as base64url(SHA-256), i.e. the S256 challenge it
// answers (RFC 7636 §4.2); tokens and the Authorization header as hex SHA-256.

import { createHash } from "node:crypto";
import process from "node:process";

import { OAuth2Server } from "oauth2-mock-server";

const emit = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);
const s256 = (text) => createHash("sha256").update(text).digest("base64url");
const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");
const text = (value) => (typeof value === "string" ? value : null);

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
await server.start(0, "127.0.0.1");
// The package names a loopback issuer `localhost`, which may resolve to ::1 where nothing
// listens; use the address actually bound.
server.issuer.url = `http://127.0.0.1:${server.address().port}`;

const service = server.service;
service.on("beforeAuthorizeRedirect", (_redirect, req) => {
  emit({
    event: "authorize",
    code_challenge: text(req.query.code_challenge),
    code_challenge_method: text(req.query.code_challenge_method),
    redirect_uri: text(req.query.redirect_uri),
    client_id: text(req.query.client_id),
    has_state: typeof req.query.state === "string" && req.query.state.length > 0,
  });
});
service.on("beforeResponse", (response, req) => {
  const body = req.body ?? {};
  emit({
    event: "token",
    status: response.statusCode,
    grant_type: text(body.grant_type),
    client_id: text(body.client_id),
    redirect_uri: text(body.redirect_uri),
    code_verifier_s256: typeof body.code_verifier === "string" ? s256(body.code_verifier) : null,
    refresh_token_sha256: typeof body.refresh_token === "string" ? sha256Hex(body.refresh_token) : null,
  });
});
service.on("beforeUserinfo", (_response, req) => {
  const header = req.headers.authorization;
  emit({ event: "userinfo", authorization_sha256: typeof header === "string" ? sha256Hex(header) : null });
});
service.on("beforeRevoke", (_response, req) => {
  emit({ event: "revoke", content_type: text(req.headers["content-type"]) });
});

emit({ issuer: server.issuer.url });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (process.argv.includes("--exit-on-stdin-close")) {
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
