"""Slow clients ("slowloris"): connections that each send a request a byte at a time.

Half of them trickle the request line and headers; the other half send the headers of a form
POST at once and trickle its body. Neither request ever ends. A connection the server closes is
opened again at once, as an attacker's would be. One thread drives them all.
"""

import random
import selectors
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

# Bodies of this length stay under the app's MAX_CONTENT_LENGTH (64 KiB): they are not refused
# for their size, only never finished.
BODY_LENGTH = 60_000


@dataclass
class _Trickle:
    sock: socket.socket
    slow: bytes  # what it sends a byte at a time
    due: float  # when the next byte goes
    every: float  # seconds between two bytes
    opened: float  # when it connected
    done: int = 0  # bytes of `slow` sent


class SlowClients:
    """`count` slow connections to the server at url while in a `with` block."""

    def __init__(self, url: str, count: int = 200, every: tuple[float, float] = (0.5, 1.0)):
        self.address = (urlsplit(url).hostname, urlsplit(url).port)
        self.count = count
        self.every = every
        self.lifetimes: list[float] = []  # seconds each lasted before the server closed it
        self.sent = 0  # bytes trickled
        self._trickles: dict[socket.socket, _Trickle] = {}
        self._selector = selectors.DefaultSelector()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._random = random.Random(10)

    def __enter__(self) -> "SlowClients":
        for n in range(self.count):
            self._open(n)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join()
        for sock in list(self._trickles):
            self._close(sock)
        self._selector.close()

    @property
    def held(self) -> int:
        """Connections open right now."""
        return len(self._trickles)

    def longest(self) -> float:
        """How long the oldest connection open right now has been open, in seconds."""
        return time.monotonic() - min(t.opened for t in self._trickles.values())

    def _request(self, n: int) -> tuple[bytes, bytes]:
        """What to send at once and what to trickle, for the n-th connection."""
        host = f"Host: {self.address[0]}:{self.address[1]}\r\n".encode()
        if n % 2 == 0:
            head = b"GET /quizzes HTTP/1.1\r\n" + host + b"X-Padding: "
            return b"", head + b"x" * 10_000
        head = (
            b"POST /quizzes/load-test HTTP/1.1\r\n"
            + host
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {BODY_LENGTH}\r\n\r\n".encode()
        )
        return head, b"display_name=" + b"x" * (BODY_LENGTH - 13)

    def _open(self, n: int) -> None:
        sock = socket.create_connection(self.address, timeout=5)
        at_once, slow = self._request(n)
        sock.sendall(at_once)
        sock.setblocking(False)
        every = self._random.uniform(*self.every)
        due = time.monotonic() + self._random.uniform(0, every)  # spread out, not in step
        self._trickles[sock] = _Trickle(sock, slow, due, every, opened=time.monotonic())
        self._selector.register(sock, selectors.EVENT_READ, n)

    def _close(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        del self._trickles[sock]
        sock.close()

    def _dropped(self, sock: socket.socket, n: int) -> None:
        """The server closed this one (or answered it, which is as good): open another."""
        self.lifetimes.append(time.monotonic() - self._trickles[sock].opened)
        self._close(sock)
        self._open(n)

    def _run(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.02):
                try:
                    key.fileobj.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                self._dropped(key.fileobj, key.data)
            now = time.monotonic()
            for trickle in [t for t in self._trickles.values() if t.due <= now]:
                try:
                    trickle.sock.send(trickle.slow[trickle.done : trickle.done + 1])
                except BlockingIOError:
                    continue
                except OSError:
                    self._dropped(trickle.sock, self._selector.get_key(trickle.sock).data)
                    continue
                trickle.done += 1
                trickle.due += trickle.every
                self.sent += 1
