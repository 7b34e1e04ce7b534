#!/usr/bin/env python3
"""healthrun plugin, JSON convention: days until a TLS server's certificate expires.

    type: cert_expiry
    host: example.org       required
    port: 443               default 443
    warn_days: 14           warn when fewer days are left (default 14)
    crit_days: 3            fail when fewer days are left (default 3)
    ca_file: /path/ca.pem   also verify the chain against these roots (default: system roots)
    verify: true            false: report expiry without checking trust
"""
import datetime
import json
import os
import socket
import ssl
import sys


def answer(status, message, details=None, metrics=None):
    print(json.dumps({"status": status, "message": message, "details": details or {}, "metrics": metrics or {}}))
    sys.exit(0)


try:
    fields = json.load(sys.stdin)
except ValueError as error:
    answer("fail", f"cert_expiry: invalid input: {error}")
host = fields.get("host")
if not host:
    answer("fail", "cert_expiry: 'host' is required")
port = int(fields.get("port", 443))
warn_days = float(fields.get("warn_days", 14))
crit_days = float(fields.get("crit_days", 3))
timeout = max(0.1, int(os.environ.get("HEALTHRUN_TIMEOUT_MS", "10000")) / 1000 - 0.2)

try:
    from cryptography import x509
except ImportError:
    answer("fail", "cert_expiry needs Python's cryptography package (pip install cryptography)")

context = ssl.create_default_context(cafile=fields.get("ca_file"))
if fields.get("verify", True) is False:
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
try:
    with socket.create_connection((host, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
except ssl.SSLCertVerificationError as error:
    answer("fail", f"TLS: certificate not trusted ({host}:{port}): {error.verify_message}")
except (OSError, ssl.SSLError) as error:
    answer("fail", f"cannot connect to {host}:{port}: {error}")

certificate = x509.load_der_x509_certificate(der)
expires = certificate.not_valid_after_utc
left = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400
details = {"expires_at": expires.isoformat(), "subject": certificate.subject.rfc4514_string()}
metrics = {"days_left": round(left, 2)}
summary = f"certificate of {host}:{port} expires in {left:.0f} days ({expires:%Y-%m-%d})"
if left <= 0:
    answer("fail", f"certificate of {host}:{port} expired on {expires:%Y-%m-%d}", details, metrics)
if left < crit_days:
    answer("fail", summary, details, metrics)
if left < warn_days:
    answer("warn", summary, details, metrics)
answer("ok", summary, details, metrics)
