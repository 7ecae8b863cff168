"""A tus client in a process of its own (tuspy): ``python -m tests.web.tuspy_upload``.

Creates an upload (and sends it up to ``--stop-at``), or resumes one by its URL; prints
the upload's URL. The live tests run it as a separate OS process, so resuming owes
nothing to the memory of the process that began the upload.
"""

from __future__ import annotations

import argparse
import json

from tusclient.client import TusClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("token")
    parser.add_argument("file")
    parser.add_argument("--case")
    parser.add_argument("--metadata", default="{}")
    parser.add_argument("--url")
    parser.add_argument("--stop-at", type=int)
    parser.add_argument("--chunk", type=int, default=8 * 1024 * 1024)
    args = parser.parse_args()
    client = TusClient(
        f"{args.base_url}/api/v1/uploads", headers={"Authorization": f"Bearer {args.token}"}
    )
    if args.url:
        uploader = client.uploader(args.file, url=args.url, chunk_size=args.chunk)
    else:
        uploader = client.uploader(
            args.file,
            chunk_size=args.chunk,
            metadata={
                "case_id": args.case,
                "filename": "dossier.pdf",
                "filetype": "application/pdf",
                "metadata": json.dumps(json.loads(args.metadata)),
            },
        )
    uploader.upload(stop_at=args.stop_at)
    print(uploader.url)


if __name__ == "__main__":
    main()
