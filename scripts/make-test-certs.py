"""Makes the certificates of the TLS tests: python3 make-test-certs.py DIR [VALID_DAYS].

ca.pem / ca-key.pem            a CA
server.pem / server-key.pem    127.0.0.1 and localhost, signed by the CA, valid VALID_DAYS days
wrong-host.pem (+ -key)        other.invalid, signed by the CA
expired.pem (+ -key)           127.0.0.1, signed by the CA, expired yesterday
self-signed.pem (+ -key)       127.0.0.1, signed by itself
"""
import datetime
import ipaddress
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

directory = sys.argv[1]
import os
os.makedirs(directory, exist_ok=True)
valid_days = int(sys.argv[2]) if len(sys.argv) > 2 else 30
now = datetime.datetime.now(datetime.timezone.utc)


def key():
    return ec.generate_private_key(ec.SECP256R1())


def write(name, certificate, private_key):
    with open(f"{directory}/{name}.pem", "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(f"{directory}/{name}-key.pem", "wb") as f:
        f.write(private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def certificate(subject_name, subject_key, issuer_name, issuer_key, names, start, end, is_ca=False):
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_name)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
               .public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start)
               .not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


local = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
ca_key = key()
ca = certificate("healthrun test CA", ca_key, "healthrun test CA", ca_key, None,
                 now - datetime.timedelta(days=1), now + datetime.timedelta(days=3650), is_ca=True)
write("ca", ca, ca_key)
for name, names, start, end, self_signed in [
    ("server", local, now - datetime.timedelta(days=1), now + datetime.timedelta(days=valid_days), False),
    ("wrong-host", [x509.DNSName("other.invalid")], now - datetime.timedelta(days=1),
     now + datetime.timedelta(days=365), False),
    ("expired", local, now - datetime.timedelta(days=30), now - datetime.timedelta(days=1), False),
    ("self-signed", local, now - datetime.timedelta(days=1), now + datetime.timedelta(days=365), True),
]:
    leaf_key = key()
    issuer_key, issuer_name = (leaf_key, name) if self_signed else (ca_key, "healthrun test CA")
    write(name, certificate(name, leaf_key, issuer_name, issuer_key, names, start, end), leaf_key)
