# The functions tool as a container image, for CI pipelines that prefer a container to an install.
#
# A multi-stage build would need a Swift image, so the binary is built on the host instead
# (swift build -c release --static-swift-stdlib) and scripts/tool-image.sh stages the build context:
#   image/usr/local/bin/functions      the release binary (Swift standard library and Foundation linked in)
#   image/usr/local/bin/docker         the host's docker CLI, to drive the host's daemon through a socket
#   image/usr/local/lib/functions/     the shared libraries the binary still needs (libcurl, libssl, ...)
# The build needs no network. Run it with the host's socket mounted:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock functions:latest doctor
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
COPY image/ /
ENV LD_LIBRARY_PATH=/usr/local/lib/functions
ENTRYPOINT ["/usr/local/bin/functions"]
CMD ["--help"]
