"""Loopback fixture registry for recording real npm 11 failures (see make.sh).

Each scenario is chosen by the first path segment the client's registry URL carries
(http://127.0.0.1:PORT/<scenario>/), so one server answers every scenario."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SCENARIOS = {
    # scenario: (status, headers, body)
    "basic401": (401, {"WWW-Authenticate": 'Basic realm="Fixture Realm"'}, {"error": "bad credentials"}),
    "bearer401": (401, {"WWW-Authenticate": 'Bearer realm="fixture"'}, {"error": "token expired"}),
    "notoken401": (401, {}, {"error": "authentication token not provided"}),
    "forbidden403": (403, {}, {"error": "user bob is not allowed to access package @team/secret"}),
    "quarantine403": (403, {}, {"error": "Requested item is quarantined"}),
    "publish403": (403, {}, {"error": 'You do not have permission to publish "fixture-pkg". Are you logged in as the correct user?'}),
    "otp401": (401, {"WWW-Authenticate": "OTP"}, {"error": "OTP required"}),
    "expired404": (404, {"npm-notice": "Access token expired or revoked. Please try logging in again."}, {"error": "Not found"}),
    "missing404": (404, {}, {"error": "Not found"}),
    "busy429": (429, {}, {"error": "Too Many Requests"}),
    "broken500": (500, {}, {"error": "KV GET failed: 401 Unauthorized"}),
}


class Handler(BaseHTTPRequestHandler):
    def answer(self):
        scenario = self.path.strip("/").split("/")[0]
        status, headers, body = SCENARIOS.get(scenario, (404, {}, {"error": "no such scenario"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = answer

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
