"""``embed download``: against a server on 127.0.0.1 that serves a small zip, can cut a
response short and can ignore Range; no other network."""

import errno
import hashlib
import http.server
import io
import os
import re
import shutil
import threading
import zipfile

import numpy as np
import pytest

import embed.download as dl
from embed.cli import main
from embed.errors import EmbedError

TEXT = " ".join("".join(word) for word in np.random.default_rng(0).choice(list("abcdefgh"), (60_000, 5))).encode()


def _zipped(text: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("text8", text)
    return buffer.getvalue()


ARCHIVE = _zipped(TEXT)
SHA256 = hashlib.sha256(ARCHIVE).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append(dict(self.headers))
        wanted = self.headers.get("Range")
        start = 0
        if wanted and server.honour_range:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(ARCHIVE) - 1}/{len(ARCHIVE)}")
        else:
            self.send_response(200)
        body = ARCHIVE[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.cut_short:  # promise the whole body, send half, hang up
            server.cut_short -= 1
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.requests, httpd.honour_range, httpd.cut_short = [], True, 0
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/text8.zip"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _fetch(server, folder, **given):
    settings = dict(url=server.url, sha256=SHA256, size=len(ARCHIVE), progress=False)
    return dl.download("text8", folder, **(settings | given))


def test_a_good_download_is_extracted_and_a_second_call_stays_offline(server, tmp_path):
    assert len(ARCHIVE) > 2 * dl._CHUNK  # so that a cut leaves a part behind
    path = _fetch(server, tmp_path)
    assert path == str(tmp_path / "text8")
    assert (tmp_path / "text8").read_bytes() == TEXT
    assert sorted(os.listdir(tmp_path)) == ["text8"]  # no zip, .part or temporary file
    asked = len(server.requests)
    assert _fetch(server, tmp_path) == path
    assert len(server.requests) == asked


def test_a_checksum_mismatch_is_one_line_and_leaves_nothing(server, tmp_path):
    with pytest.raises(EmbedError) as caught:
        _fetch(server, tmp_path, sha256="0" * 64)
    message = str(caught.value)
    assert "\n" not in message
    assert f"expected {len(ARCHIVE):,} bytes with sha256 {'0' * 64}" in message
    assert f"got {len(ARCHIVE):,} bytes with sha256 {SHA256}" in message
    assert os.listdir(tmp_path) == []


def test_a_dropped_connection_keeps_the_part_and_the_next_call_resumes_it(server, tmp_path):
    server.cut_short = 1
    with pytest.raises(EmbedError) as caught:
        _fetch(server, tmp_path)
    message = str(caught.value)
    part = tmp_path / "text8.zip.part"
    assert "\n" not in message
    assert "dropped" in message and f"kept in {part}" in message and "running the command again resumes it" in message
    kept = part.read_bytes()
    assert 0 < len(kept) < len(ARCHIVE) and ARCHIVE.startswith(kept)
    assert _fetch(server, tmp_path) == str(tmp_path / "text8")
    assert server.requests[-1]["Range"] == f"bytes={len(kept)}-"
    assert (tmp_path / "text8").read_bytes() == TEXT
    assert sorted(os.listdir(tmp_path)) == ["text8"]


def test_a_server_that_ignores_range_gives_the_whole_file_again(server, tmp_path):
    server.honour_range = False
    (tmp_path / "text8.zip.part").write_bytes(b"not the start of the archive")  # must be overwritten, not extended
    assert _fetch(server, tmp_path) == str(tmp_path / "text8")
    assert server.requests[-1]["Range"] == "bytes=28-"
    assert (tmp_path / "text8").read_bytes() == TEXT
    assert sorted(os.listdir(tmp_path)) == ["text8"]


def test_a_full_disk_is_one_line_and_leaves_no_partial_file(server, tmp_path, monkeypatch):
    real_open = open

    class FillsUp:
        """A file whose second write finds the disk full."""

        def __init__(self, stream):
            self.stream, self.writes = stream, 0

        def write(self, data):
            self.writes += 1
            if self.writes > 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.stream.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    def fake_open(path, mode="r", *args, **kwargs):
        stream = real_open(path, mode, *args, **kwargs)
        return FillsUp(stream) if set(mode) & set("wa") else stream

    monkeypatch.setattr(dl, "open", fake_open, raising=False)
    with pytest.raises(EmbedError) as caught:
        _fetch(server, tmp_path)
    assert str(caught.value) == (f"{tmp_path}: cannot write the download (No space left on device); "
                                 "the partial file was removed")
    assert os.listdir(tmp_path) == []


def test_a_full_disk_while_extracting_keeps_the_verified_archive(server, tmp_path, monkeypatch):
    def full(source, target, length=0):
        target.write(b"some")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(shutil, "copyfileobj", full)
        with pytest.raises(EmbedError) as caught:
            _fetch(server, tmp_path)
    assert str(caught.value) == (f"{tmp_path}: cannot extract text8 from text8.zip (No space left on device); "
                                 "text8.zip is kept, and running the command again extracts it")
    assert os.listdir(tmp_path) == ["text8.zip"]
    asked = len(server.requests)
    assert _fetch(server, tmp_path) == str(tmp_path / "text8")
    assert len(server.requests) == asked
    assert sorted(os.listdir(tmp_path)) == ["text8"]


def test_an_unknown_corpus_names_the_known_ones(tmp_path, capsys):
    with pytest.raises(EmbedError, match=r"^unknown corpus 'text9'; embed can download: text8$"):
        dl.download("text9", tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["download", "text9", "--folder", str(tmp_path)])
    assert stopped.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    # Python's errors before, once the folder was made: urllib's "unknown url type",
    # "'int' object has no attribute 'lower'", "unhashable type".
    for name, keywords, message in (("text8", {"url": "notaurl"}, "url must be an http:// or https:// address, got 'notaurl'"),
                                    ("text8", {"sha256": 5}, "sha256 must be 64 hexadecimal digits, got 5"),
                                    ("text8", {"size": "big"}, "size must be a whole number of bytes >= 1, got 'big'"),
                                    (["text8"], {}, "unknown corpus ['text8']; embed can download: text8")):
        with pytest.raises(EmbedError, match="^" + re.escape(message) + "$"):
            dl.download(name, tmp_path / "new", **keywords)
    assert os.listdir(tmp_path) == []


def test_the_command_downloads_and_prints_the_path(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(dl.CORPORA, "text8", dl.Corpus(server.url, len(ARCHIVE), SHA256, "text8"))
    assert main(["download", "text8", "--folder", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'text8'}\n"
    assert (tmp_path / "text8").read_bytes() == TEXT
    monkeypatch.setitem(dl.CORPORA, "text8", dl.Corpus(server.url, len(ARCHIVE), "0" * 64, "text8"))
    assert main(["download", "text8", "--folder", str(tmp_path / "other"), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"embed: error: {server.url}: the download is not the expected file") and error.count("\n") == 1


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBED_DATA", str(tmp_path / "data"))
    assert dl.cache_folder() == tmp_path / "data"
    monkeypatch.delenv("EMBED_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert dl.cache_folder() == tmp_path / "cache" / "embed"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert dl.cache_folder() == tmp_path / ".cache" / "embed"
