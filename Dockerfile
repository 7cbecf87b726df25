# The image that `radprobe k8s` runs (and that SLURM sites may run with apptainer): the radprobe workspace, built,
# with `radprobe` on the PATH. CPU build:
#   docker build -t registry.example.org/radprobe:0.1.0 .
# The CUDA variant and how to push it where the cluster pulls from: docs/scale-out.md.
FROM node:20-bookworm-slim
# git: a run records the commit of the config's folder when it is in a repository.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/radprobe
COPY . .
# As the README installs it: npm ci (no dependency install script runs: .npmrc; onnxruntime-node's CPU build ships in
# its package), then the build of every package.
RUN npm ci --no-audit --no-fund && npm run build && npm cache clean --force
# npm links the workspace's `radprobe` command (packages/cli/bin/radprobe.js) into node_modules/.bin.
ENV PATH=/opt/radprobe/node_modules/.bin:$PATH
# Nothing in the image is written at run time; the Jobs mount the project (config, data, cache, results) here.
WORKDIR /radprobe
CMD ["radprobe", "--help"]
