"""Render the first page of a PDF report as a PNG (for the README), as a logged-in user.

Usage: python3 scripts/pdf_page.py <base_url> <report path> <output.png> [--db spm_demo]
       [--login admin] [--password admin] [--lang zh_CN] [--dpi 70]

Downloads ``<base_url><report path>`` (e.g. /report/pdf/<report>/<ids>) with the session of
/web/session/authenticate, in ``--lang``, and converts its first page with poppler's pdftoppm.
"""

import argparse
import json
import subprocess
import tempfile
import urllib.parse
import urllib.request

from screenshot import authenticate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("path")
    parser.add_argument("output")
    parser.add_argument("--db", default="spm_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--lang", default="en_US")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    session_id = authenticate(args.base_url, args.db, args.login, args.password)
    query = urllib.parse.urlencode({"context": json.dumps({"lang": args.lang})})
    request = urllib.request.Request(
        f"{args.base_url}{args.path}?{query}", headers={"Cookie": f"session_id={session_id}"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        pdf = response.read()
    if not pdf.startswith(b"%PDF"):
        raise SystemExit(f"{args.path} did not return a PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        stem = args.output.removesuffix(".png")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", "1", "-singlefile", handle.name, stem],
            check=True,
        )


if __name__ == "__main__":
    main()
