"""Run nginx with the shipped deploy/nginx.conf in front of app servers, on loopback.

The site file is used as shipped except for what only an operator changes (see loopback()):
the app servers' addresses, the listen lines, the TLS lines and the static root. It is wrapped
in a main config of our own that keeps every pid, temp and log file in a work folder.
"""

import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from bench.server import REPO, free_port, stop_group, wait_until_healthy

SITE = REPO / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
DEBIAN_MIME_TYPES = Path("/etc/nginx/mime.types")

MAIN = """\
# Written by bench.front: nginx's main context for a run on loopback, every path in one folder.
{user}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log notice;
events {{
    worker_connections 1024;
}}
http {{
    {types}
    default_type application/octet-stream;
    # as Debian's /etc/nginx/nginx.conf has them around its sites
    sendfile on;
    tcp_nopush on;
    gzip on;
    access_log {work}/access.log;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {site};
}}
"""


def loopback(site: str, backends: list[str], port: int, redirect_port: int, root: Path) -> str:
    """The site serving on loopback over plain HTTP; every line but these is kept as shipped.

    The upstream's `server` lines get the backends' addresses (in order, parameters kept). The
    first `listen` of the TLS server becomes 127.0.0.1:port, that of the redirecting server
    127.0.0.1:redirect_port; the other `listen` lines and every `ssl_*` line go. `root` becomes
    the given folder. Raises ValueError when the site no longer has the shape this relies on,
    so a changed file is never tested half-changed.
    """
    lines, block, depth, listened = [], None, 0, False
    upstreams, found = iter(backends), set()
    for line in site.splitlines():
        code = line.split("#", 1)[0].strip()
        indent = line[: len(line) - len(line.lstrip())]
        if depth == 0 and code.startswith(("upstream ", "server ")):
            block, listened = code.split()[0], False
        if block == "upstream" and depth == 1 and code.startswith("server "):
            address = next(upstreams, None)
            if address is None:
                raise ValueError("the upstream lists more servers than were given")
            line = re.sub(r"server\s+[^\s;]+", f"server {address}", line, count=1)
        elif block == "server" and depth == 1 and code.startswith("listen "):
            if listened:
                continue  # one address is enough here (the IPv6 one goes)
            listened = True
            tls = "ssl" in code.rstrip(";").split()
            line = f"{indent}listen 127.0.0.1:{port if tls else redirect_port};"
            found.add("tls" if tls else "plain")
        elif block == "server" and depth == 1 and code.startswith("ssl_"):
            continue
        elif block == "server" and depth == 1 and code.startswith("root "):
            line = f"{indent}root {root};"
            found.add("root")
        depth += code.count("{") - code.count("}")
        lines.append(line)
    if next(upstreams, None) is not None or found != {"tls", "plain", "root"}:
        raise ValueError(f"the site does not have the expected shape (found {sorted(found)})")
    return "\n".join(lines) + "\n"


class Front:
    """One nginx on 127.0.0.1: start(backends), stop(); its files in workdir/nginx."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        self.redirect_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.work = workdir / "nginx"
        self.process: subprocess.Popen | None = None

    def configure(self, site: str) -> Path:
        """Write the site and a main config around it; the main config's path."""
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "quizapp.conf").write_text(site)
        types = (
            f"include {DEBIAN_MIME_TYPES};"
            if DEBIAN_MIME_TYPES.exists()
            else "types { text/html html; text/css css; }"
        )
        # Run by root, nginx would hand its workers to "nobody", who cannot reach a private
        # temporary folder: keep them as the user running the test.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        config = self.work / "nginx.conf"
        config.write_text(
            MAIN.format(user=user, work=self.work, types=types, site=self.work / "quizapp.conf")
        )
        return config

    def command(self, config: Path, *options: str) -> list[str]:
        log = self.work / "error.log"
        return [NGINX, "-p", str(self.work), "-c", str(config), "-e", str(log), *options]

    def check(self, site: str) -> subprocess.CompletedProcess:
        """`nginx -t` on a site as it would be installed: its output says what is wrong."""
        config = self.configure(site)
        return subprocess.run(self.command(config, "-t"), capture_output=True, text=True)

    def start(self, backends: list[str], timeout: float = 10) -> "Front":
        """Serve in front of backends ("127.0.0.1:port" each), once /healthz answers through it."""
        site = loopback(SITE.read_text(), backends, self.port, self.redirect_port, REPO)
        config = self.configure(site)
        with (self.work / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(
                self.command(config, "-g", "daemon off;"),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_healthy(self.process, self.url, timeout, "nginx", self.output)
        return self

    def stop(self) -> None:
        """A fast shutdown (SIGTERM): a graceful one would wait on the slow clients."""
        stop_group(self.process)

    def output(self) -> str:
        """The end of what nginx wrote: its startup output, then its error log."""
        files = [self.work / "nginx.out", self.work / "error.log"]
        return "".join(p.read_text(errors="replace") for p in files if p.exists())[-4000:]
