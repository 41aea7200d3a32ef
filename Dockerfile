# Blastguard for CI systems without Python:
#   docker build -t blastguard .
#   docker run --rm -v "$PWD:/src:ro" -w /src blastguard check .
# (--fix writes the files: mount read-write and add --user "$(id -u):$(id -g)").
FROM python:3.12-slim

COPY pyproject.toml README.md LICENSE /tmp/blastguard/
COPY server /tmp/blastguard/server
COPY rules /tmp/blastguard/rules
RUN pip install --no-cache-dir --disable-pip-version-check /tmp/blastguard \
    && rm -rf /tmp/blastguard \
    && useradd --create-home --uid 10001 blastguard

# No root needed to read and check files; the rule cache goes to the user's home.
USER blastguard
WORKDIR /src
ENTRYPOINT ["blastguard"]
CMD ["check", "."]
