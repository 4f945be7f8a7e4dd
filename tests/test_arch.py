"""ftkit.arch: one way to reach blocks, attention and MLP of Llama- and BERT-style models, wrapped or not, and to freeze."""
import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import BertConfig, BertForSequenceClassification, BertModel, LlamaConfig, LlamaForCausalLM

from ftkit import arch


def tiny_llama():
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=3,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=32))


def tiny_bert(cls=BertModel):
    torch.manual_seed(0)
    return cls(BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=64, max_position_embeddings=16))


def test_llama_parts_plain_and_peft_wrapped():
    m = tiny_llama()
    assert arch.family(m) == "llama" and arch.layers(m) is m.model.layers
    layer = m.model.layers[1]
    assert arch.attention(layer) is layer.self_attn and arch.mlp(layer) is layer.mlp
    assert arch.self_attentions(m) == [l.self_attn for l in m.model.layers]
    assert arch.head_shape(m) == (3, 4, 8)
    p = get_peft_model(m, LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    assert arch.unwrap(p) is m and arch.layers(p) is m.model.layers and arch.family(p) == "llama"
    assert arch.head_shape(p) == (3, 4, 8)


@pytest.mark.parametrize("cls,path", [(BertModel, "encoder.layer"), (BertForSequenceClassification, "bert.encoder.layer")])
def test_bert_parts(cls, path):
    m = tiny_bert(cls)
    blocks = m.get_submodule(path)
    assert arch.family(m) == "bert" and arch.layers(m) is blocks
    assert arch.self_attentions(m) == [l.attention.self for l in blocks]
    ffn = arch.mlp(blocks[0])
    assert list(ffn) == [blocks[0].intermediate, blocks[0].output]
    assert arch.head_shape(m) == (2, 4, 8)


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="do not know the layers"):
        arch.layers(torch.nn.Linear(2, 2))


def test_freeze_and_train_only():
    m = tiny_bert()
    arch.freeze(m)
    assert not any(p.requires_grad for p in m.parameters())
    blocks = arch.layers(m)
    keep = arch.train_only(m, arch.attention(blocks[0]), arch.mlp(blocks[1]))
    expect = list(blocks[0].attention.self.parameters()) + list(blocks[1].intermediate.parameters()) \
        + list(blocks[1].output.parameters())
    assert [id(p) for p in keep] == [id(p) for p in expect]
    assert {id(p) for p in m.parameters() if p.requires_grad} == {id(p) for p in expect}
