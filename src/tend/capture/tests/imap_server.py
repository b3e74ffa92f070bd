"""A small real IMAP4rev1 server for the tests: asyncio on a thread, implicit TLS with a
self-signed certificate made for the test. It speaks what a fetching client needs: CAPABILITY,
LOGIN, SELECT/EXAMINE, STATUS, UID SEARCH, UID FETCH, NOOP, LOGOUT."""

import asyncio
import datetime as dt
import re
import ssl
import threading
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1/localhost and its key, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = f"{directory}/cert.pem", f"{directory}/key.pem"
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


@dataclass
class Folder:
    uidvalidity: int = 1
    messages: list[tuple[int, bytes]] = field(default_factory=list)  # (uid, raw)

    def add(self, raw: bytes) -> int:
        uid = (self.messages[-1][0] + 1) if self.messages else 1
        self.messages.append((uid, raw))
        return uid


_ATOMS = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _uid_set(spec: str, highest: int) -> set[int]:
    wanted: set[int] = set()
    for part in spec.split(","):
        if ":" in part:
            lo, hi = (highest if x == "*" else int(x) for x in part.split(":"))
            lo, hi = min(lo, hi), max(lo, hi)
            wanted.update(range(lo, hi + 1))
        else:
            wanted.add(highest if part == "*" else int(part))
    return wanted


class ImapServer:
    def __init__(self, cert: str, key: str, user: str, password: str):
        self.user, self.password = user, password
        self.folders: dict[str, Folder] = {"INBOX": Folder(), "Sent": Folder()}
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.logins = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> int:
        self.thread.start()
        self.ready.wait(10)
        return self.port

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", 0, ssl=self.context)
        )
        self.server = server
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        server.close()
        self.loop.run_until_complete(server.wait_closed())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _session(self, reader, writer) -> None:
        def send(line: bytes) -> None:
            writer.write(line + b"\r\n")

        send(b"* OK [CAPABILITY IMAP4rev1] test server ready")
        authed, selected = False, None
        try:
            while line := await reader.readline():
                tag, _, rest = line.rstrip(b"\r\n").decode().partition(" ")
                command, _, args = rest.partition(" ")
                command = command.upper()
                if command == "UID":
                    sub, _, args = args.partition(" ")
                    command = "UID " + sub.upper()
                if command == "CAPABILITY":
                    send(b"* CAPABILITY IMAP4rev1")
                    send(f"{tag} OK CAPABILITY completed".encode())
                elif command == "NOOP":
                    send(f"{tag} OK NOOP completed".encode())
                elif command == "LOGOUT":
                    send(b"* BYE logging out")
                    send(f"{tag} OK LOGOUT completed".encode())
                    break
                elif command == "LOGIN":
                    user, password = (_unquote(p) for p in _ATOMS.findall(args)[:2])
                    if (user, password) == (self.user, self.password):
                        authed = True
                        self.logins += 1
                        send(f"{tag} OK LOGIN completed".encode())
                    else:
                        send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials".encode())
                elif not authed:
                    send(f"{tag} BAD log in first".encode())
                elif command in ("SELECT", "EXAMINE"):
                    name = args.strip().strip('"')
                    if name not in self.folders:
                        send(f"{tag} NO no such folder".encode())
                        continue
                    selected = self.folders[name]
                    send(f"* {len(selected.messages)} EXISTS".encode())
                    send(b"* 0 RECENT")
                    send(f"* OK [UIDVALIDITY {selected.uidvalidity}] UIDs valid".encode())
                    mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                    send(f"{tag} OK [{mode}] {command} completed".encode())
                elif command == "STATUS":
                    name = args.split(" (")[0].strip().strip('"')
                    folder = self.folders.get(name)
                    if folder is None:
                        send(f"{tag} NO no such folder".encode())
                        continue
                    nxt = (folder.messages[-1][0] + 1) if folder.messages else 1
                    send(
                        f'* STATUS "{name}" (MESSAGES {len(folder.messages)} '
                        f"UIDNEXT {nxt} UIDVALIDITY {folder.uidvalidity})".encode()
                    )
                    send(f"{tag} OK STATUS completed".encode())
                elif selected is None:
                    send(f"{tag} BAD select a folder first".encode())
                elif command == "UID SEARCH":
                    highest = selected.messages[-1][0] if selected.messages else 0
                    match = re.search(r"UID ([0-9:*,]+)", args)
                    wanted = _uid_set(match[1], highest) if match and highest else set()
                    if "ALL" in args.upper() and not match:
                        wanted = {uid for uid, _ in selected.messages}
                    found = [uid for uid, _ in selected.messages if uid in wanted]
                    send(("* SEARCH " + " ".join(map(str, found))).strip().encode())
                    send(f"{tag} OK SEARCH completed".encode())
                elif command == "UID FETCH":
                    spec = args.split(" ", 1)[0]
                    highest = selected.messages[-1][0] if selected.messages else 0
                    wanted = _uid_set(spec, highest) if highest else set()
                    for seq, (uid, raw) in enumerate(selected.messages, start=1):
                        if uid in wanted:
                            writer.write(
                                f"* {seq} FETCH (UID {uid} FLAGS () RFC822.SIZE {len(raw)} "
                                f"BODY[] {{{len(raw)}}}\r\n".encode()
                                + raw
                                + b")\r\n"
                            )
                    send(f"{tag} OK FETCH completed".encode())
                else:
                    send(f"{tag} BAD unknown command".encode())
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
