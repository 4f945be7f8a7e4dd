import pytest
import torch

from ftkit import models, zoo


def test_zoo_model_loads_and_knows_its_facts():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    model = models.load_model("ftkit/tiny-llama")
    assert type(model).__name__ == "LlamaForCausalLM" and 1e6 < models.count_parameters(model) < 5e6
    recall = zoo.fact_recall(model, tok, zoo.RECIPES["tiny-llama"])
    assert recall["seen_templates"] > 0.8


def test_nf4_and_int8_quantization_on_cpu():
    fp32 = models.load_model("ftkit/tiny-llama")
    nf4 = models.load_model("ftkit/tiny-llama", quant="nf4")
    assert any(type(m).__name__ == "Linear4bit" for m in nf4.modules())
    assert nf4.get_memory_footprint() < fp32.get_memory_footprint()
    tok = models.load_tokenizer("ftkit/tiny-llama")
    ids = tok("The capital of", return_tensors="pt")
    assert torch.isfinite(nf4(**ids).logits).all()
    with pytest.raises(ValueError, match="quant"):
        models.load_model("ftkit/tiny-llama", quant="fp3")


def test_qlora_trains_only_the_adapter():
    model = models.load_model("ftkit/tiny-llama", quant="nf4", lora=dict(r=4, target_modules=["q_proj", "v_proj"]))
    trainable = models.count_parameters(model, trainable_only=True)
    assert 0 < trainable < 0.05 * models.count_parameters(model)
    tok = models.load_tokenizer("ftkit/tiny-llama")
    ids = tok("sort: b a ->", return_tensors="pt")
    model(**ids, labels=ids["input_ids"]).loss.backward()


def test_smollm2_loads_by_hub_id_offline():
    tok = models.load_tokenizer("HuggingFaceTB/SmolLM2-135M-Instruct")
    model = models.load_model("HuggingFaceTB/SmolLM2-135M-Instruct")
    assert 130e6 < models.count_parameters(model) < 140e6
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    x = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**x, max_new_tokens=10, do_sample=False)
    assert "Paris" in tok.decode(out[0, x["input_ids"].shape[1]:])


def test_minilm_loads_by_hub_id_offline():
    tok = models.load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")
    enc = models.load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    b = tok(["A cat sits on the mat.", "A kitten is resting on a rug.", "Stocks fell."], padding=True, return_tensors="pt")
    with torch.no_grad():
        h = enc(**b).last_hidden_state
    m = b["attention_mask"][..., None]
    e = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)
    assert e[0] @ e[1] > e[0] @ e[2] + 0.3


def test_clear_errors_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(models.ModelNotAvailable, match="not available offline"):
        models.resolve("Qwen/Qwen2.5-0.5B")
    with pytest.raises(models.ModelNotAvailable, match="python -m ftkit.zoo build"):
        models.resolve("ftkit/no-such-model")
    monkeypatch.setattr(models, "available_bytes", lambda device: 1000)
    with pytest.raises(models.ModelNotAvailable, match="needs about"):
        models.load_model("ftkit/tiny-llama")


def test_efficientnet_lite0_loads():
    net = models.load_efficientnet_lite0(num_classes=10)
    assert net(torch.zeros(1, 3, 64, 64)).shape == (1, 10)


def test_frozen_dtype_is_bf16_only_where_it_is_native():
    assert models.frozen_dtype("cuda") == torch.bfloat16
    assert models.frozen_dtype("cpu") == (torch.bfloat16 if models.cpu_has_native_bf16() else torch.float32)
