#!/usr/bin/env python3
"""
Exports tiny DINOv2 ViTs with torch.onnx.export from Meta's own model definition: the fixtures of
packages/backbone-onnx/test/fixtures/torch and the recipe docs/backbones.md quotes.

    python3 scripts/torch-fixtures/generate.py --dinov2 /path/to/dinov2 [--out DIR]

--dinov2 is a checkout of https://github.com/facebookresearch/dinov2 (the folder holding the `dinov2` package):
radprobe does not ship Meta's code or weights. The script installs nothing; it needs torch, onnx and numpy.
Weights are random (seeded), widths tiny; everything else is Meta's code as the hub builds it.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

# xFormers is optional in Meta's code; this switch (read when dinov2.layers is imported) keeps attention in plain
# PyTorch ops, which is what torch.onnx exports.
os.environ["XFORMERS_DISABLED"] = "1"

import onnx
import torch

PATCH = 14
EMBED_DIM = 32
DEPTH = 3
HEADS = 4
# The trained positional grid (37 in Meta's checkpoints: img_size 518) and the export's patch grid (16 at 224):
# the export interpolates 6×6 down to 4×4, as a 224 export of a real checkpoint interpolates 37×37 down to 16×16.
TRAINED_GRID = 6
EXPORT_SIDE = 56
LAST_BLOCKS = 2
BATCH = 2

# Meta's hub constructors (dinov2/hub/backbones.py: dinov2_vits14 and dinov2_vits14_reg) at tiny widths.
PLAIN = dict(num_register_tokens=0, interpolate_antialias=False, interpolate_offset=0.1)
REGISTERS = dict(num_register_tokens=4, interpolate_antialias=True, interpolate_offset=0.0)


def tiny_dinov2(settings, seed):
    from dinov2.layers import MemEffAttention, NestedTensorBlock as Block
    from dinov2.models.vision_transformer import DinoVisionTransformer

    model = DinoVisionTransformer(
        img_size=TRAINED_GRID * PATCH,
        patch_size=PATCH,
        embed_dim=EMBED_DIM,
        depth=DEPTH,
        num_heads=HEADS,
        mlp_ratio=4,
        block_fn=partial(Block, attn_class=MemEffAttention),
        init_values=1.0,
        ffn_layer="mlp",
        block_chunks=0,
        **settings,
    )
    # Every parameter random and of a size that shows in the output (Meta's init leaves tokens near 0, layer
    # norms and layer scales at 1): a wrongly read parameter then changes the features well beyond 1e-4.
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator)
            if name.endswith(("norm1.weight", "norm2.weight", "norm.weight", ".gamma")):
                parameter.copy_(1 + 0.2 * noise)
            elif name in ("cls_token", "register_tokens", "pos_embed", "mask_token"):
                parameter.copy_(0.5 * noise)
            elif parameter.dim() >= 2:
                parameter.copy_(noise / parameter[0].numel() ** 0.5)
            else:
                parameter.copy_(0.1 * noise)
    return model.eval()


class IntermediateLayers(torch.nn.Module):
    """What the export traces: Meta's get_intermediate_layers, CLS tokens included, final norm applied."""

    def __init__(self, backbone, n):
        super().__init__()
        self.backbone = backbone
        self.n = n

    def forward(self, x):
        return self.backbone.get_intermediate_layers(x, n=self.n, return_class_token=True, norm=True)


def export(model, path, example, n, constant_folding=True, dynamic_batch=True):
    """Traces `model` on `example` ([B, 3, H, W]): the graph serves H×W inputs only; the batch may vary."""
    torch.onnx.export(
        IntermediateLayers(model, n),
        example,
        str(path),
        opset_version=17,
        do_constant_folding=constant_folding,
        input_names=["input"],
        dynamic_axes={"input": {0: "batch"}} if dynamic_batch else None,
    )
    onnx.checker.check_model(onnx.load(str(path)))


def positions_at(model, side):
    """The positional embedding Meta's interpolate_pos_encoding adds for `side`×`side` inputs."""
    grid = side // model.patch_size
    with torch.no_grad():
        return model.interpolate_pos_encoding(torch.zeros(1, 1 + grid * grid, model.embed_dim), side, side)


def precompute_positions(model, side):
    """
    Replaces the trained positional grid by the one Meta's code computes for `side`×`side` inputs (antialiased for
    register models): the traced graph then adds it as is, with no Resize to export.
    """
    model.pos_embed = torch.nn.Parameter(positions_at(model, side))
    return model


def float32_record(tensor):
    values = tensor.detach().contiguous().numpy().astype("<f4")
    return {"shape": list(values.shape), "float32": base64.b64encode(values.tobytes()).decode("ascii")}


def torch_outputs(model, example):
    with torch.no_grad():
        pairs = IntermediateLayers(model, LAST_BLOCKS)(example)
    return [float32_record(tensor) for pair in pairs for tensor in pair]


def checkout_commit(path):
    try:
        return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def check_attention_runs(dinov2):
    source = (dinov2 / "dinov2" / "layers" / "attention.py").read_text()
    if "scaled_dot_product_attention" in source and not hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        sys.exit(
            f"{dinov2}: this dinov2 checkout's Attention calls F.scaled_dot_product_attention (dinov2 since June 2025), "
            f"which torch {torch.__version__} lacks: use torch >= 2.0, or check out dinov2 commit b48308a (the last "
            "before that change; the model is otherwise the same)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dinov2", required=True, type=Path, help="checkout of facebookresearch/dinov2")
    parser.add_argument("--dinov2-commit", help="commit of that checkout, recorded when it is not a git work tree")
    default_out = Path(__file__).resolve().parents[2] / "packages" / "backbone-onnx" / "test" / "fixtures" / "torch"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    dinov2 = args.dinov2.resolve()
    if not (dinov2 / "dinov2" / "models" / "vision_transformer.py").is_file():
        sys.exit(f"{dinov2}: not a dinov2 checkout (no dinov2/models/vision_transformer.py)")
    check_attention_runs(dinov2)
    sys.path.insert(0, str(dinov2))
    args.out.mkdir(parents=True, exist_ok=True)

    example = torch.randn(BATCH, 3, EXPORT_SIDE, EXPORT_SIDE, generator=torch.Generator().manual_seed(0))
    (args.out / "input.json").write_text(json.dumps(float32_record(example)) + "\n")
    fixtures = {}

    def record(name, model, reference, settings, **options):
        export(model, args.out / f"{name}.onnx", example, LAST_BLOCKS, **options)
        expected = {
            "outputs": torch_outputs(reference, example),
            "pos_embed": float32_record(model.pos_embed),
            "positions_at_export": float32_record(positions_at(reference, EXPORT_SIDE)),
        }
        (args.out / f"{name}.expected.json").write_text(json.dumps(expected) + "\n")
        fixtures[name] = {**settings, "constant_folding": options.get("constant_folding", True), "dynamic_batch": options.get("dynamic_batch", True)}

    plain = tiny_dinov2(PLAIN, seed=1)
    record("vits14-folded", plain, plain, PLAIN)
    record("vits14-unfolded", plain, plain, PLAIN, constant_folding=False)
    record("vits14-static", plain, plain, PLAIN, dynamic_batch=False)

    registers = tiny_dinov2(REGISTERS, seed=2)
    try:
        export(registers, args.out / "vits14-reg4.onnx", example, LAST_BLOCKS)
        fixtures["vits14-reg4"] = {**REGISTERS, "constant_folding": True, "dynamic_batch": True}
        register_export = "exported"
    except Exception as error:  # torch.onnx before the dynamo exporter has no antialiased bicubic
        (args.out / "vits14-reg4.onnx").unlink(missing_ok=True)
        register_export = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    precomputed = precompute_positions(tiny_dinov2(REGISTERS, seed=2), EXPORT_SIDE)
    precomputed_output = torch_outputs(precomputed, example)
    if precomputed_output != torch_outputs(registers, example):
        sys.exit("the precomputed positional embedding does not reproduce the register model's output")
    record("vits14-reg4-precomputed", precomputed, registers, {**REGISTERS, "positions_precomputed_for": EXPORT_SIDE})

    provenance = {
        "generator": "scripts/torch-fixtures/generate.py",
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "dinov2_commit": args.dinov2_commit or checkout_commit(dinov2),
        "architecture": {"patch_size": PATCH, "embed_dim": EMBED_DIM, "depth": DEPTH, "num_heads": HEADS, "img_size": TRAINED_GRID * PATCH},
        "export": {"input": [BATCH, 3, EXPORT_SIDE, EXPORT_SIDE], "opset": 17, "get_intermediate_layers_n": LAST_BLOCKS},
        "fixtures": fixtures,
        "register_model_direct_export": register_export,
    }
    (args.out / "fixtures.json").write_text(json.dumps(provenance, indent=2) + "\n")
    print(json.dumps(provenance, indent=2))


if __name__ == "__main__":
    main()
