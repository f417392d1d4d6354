"""Helpers of the outbox's tests: the app's Huey on a queue of the test's own, and real local servers
for the adapters, an SMTP sink and an SMS gateway on 127.0.0.1.

Each server keeps what it received and can be told to stall: the SMTP sink takes a whole message and then
holds back its "250 OK", the gateway reads a request and holds back its answer. A client that times out,
or a worker killed meanwhile, has therefore handed the message over without knowing it, as happens with a
real server; its next attempt is the repeat a receiver must recognise by the message id.
"""

import base64
import email
import json
import socketserver
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lltp.core.queue import huey, make_huey

STALL_SECONDS = 60


def use_queue(monkeypatch, url):
    """Point the app's Huey (the object its tasks are bound to) at the queue `url`; returns the Huey."""
    monkeypatch.setattr(huey, "storage", make_huey(url).storage)
    return huey


def queued_deliveries(queue):
    """The outbox rows' ids that `deliver_message` tasks wait in the queue for, in order."""
    return [task.args[0] for task in queue.pending() if task.name == "deliver_message"]


class _QuietTCPServer(socketserver.ThreadingTCPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out or was killed hung up: that is what the tests do


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass


class _Server:
    """Serve on a free port in a thread; `stalling` holds replies until it is cleared or the server stops."""

    server_class = None

    def __init__(self):
        self.received = []
        self.stalling = threading.Event()
        self._released = threading.Event()
        self._arrived = threading.Condition()
        self._server = self.server_class(("127.0.0.1", 0), self.handler_class)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def keep(self, item):
        with self._arrived:
            self.received.append(item)
            self._arrived.notify_all()

    def wait_for(self, count, timeout=15):
        """Block until `count` items have arrived; False on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def hold_if_stalling(self):
        if self.stalling.is_set():
            self._released.wait(STALL_SECONDS)

    def release(self):
        """Stop stalling, and let the held replies go."""
        self.stalling.clear()
        self._released.set()


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        sink, envelope = self.server.owner, {"login": None}
        self.reply("220 sink ESMTP")
        for raw in self.rfile:
            command = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink\r\n250-8BITMIME\r\n250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
                envelope["login"] = (user, password)
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                envelope["recipients"] = []
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["recipients"].append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                sink.keep(self._message(envelope))
                sink.hold_if_stalling()
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")

    def _message(self, envelope):
        lines = []
        for raw in self.rfile:
            if raw == b".\r\n":
                break
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        message = email.message_from_bytes(b"".join(lines), policy=policy.default)
        return {
            "message_id": message["Message-ID"],
            "to": envelope["recipients"],
            "subject": message["Subject"],
            "body": message.get_body(("plain",)).get_content(),
            "login": envelope["login"],
        }


class SmtpSink(_Server):
    """A real SMTP server that keeps each message: its Message-ID, recipients, subject, body and login."""

    server_class = _QuietTCPServer
    handler_class = _SmtpHandler


class _GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway = self.server.owner
        body = self.rfile.read(int(self.headers["Content-Length"]))
        gateway.keep({"json": json.loads(body), "headers": dict(self.headers), "path": self.path})
        gateway.hold_if_stalling()
        status = gateway.status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"accepted": status < 300}).encode())

    def log_message(self, *args):
        pass


class SmsGateway(_Server):
    """A real HTTP SMS gateway that keeps each request's JSON and headers and answers `status`."""

    server_class = _QuietHTTPServer
    handler_class = _GatewayHandler
    status = 200

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/sms"
