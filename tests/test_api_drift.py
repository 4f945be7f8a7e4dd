"""The library names ftkit and the notebooks call: a renamed or removed symbol fails here first."""
import importlib
import inspect

import pytest

NAMES = {
    "transformers": ["AutoConfig", "AutoModel", "AutoModelForCausalLM", "AutoModelForSequenceClassification",
                     "AutoTokenizer", "BitsAndBytesConfig", "LlamaConfig", "LlamaForCausalLM", "PreTrainedTokenizerFast"],
    "transformers.utils.logging": ["disable_progress_bar"],
    "peft": ["LoraConfig", "get_peft_model", "prepare_model_for_kbit_training"],
    "trl": ["SFTTrainer", "SFTConfig", "DPOTrainer", "DPOConfig"],
    "bitsandbytes.nn": ["Linear4bit", "Linear8bitLt"],
    "tokenizers": ["Tokenizer", "decoders", "models", "pre_tokenizers", "trainers"],
    "papermill": ["execute_notebook"],
    "torch.linalg": ["svd", "svdvals"],
}


@pytest.mark.parametrize("module", sorted(NAMES))
def test_names_exist(module):
    mod = importlib.import_module(module)
    missing = [n for n in NAMES[module] if not hasattr(mod, n)]
    assert not missing, f"{module} no longer has {missing}"


def test_signatures_ftkit_relies_on():
    from peft import LoraConfig
    from transformers import BitsAndBytesConfig
    lora = inspect.signature(LoraConfig).parameters
    assert {"r", "lora_alpha", "use_rslora", "target_modules", "lora_dropout"} <= set(lora)
    bnb = inspect.signature(BitsAndBytesConfig).parameters
    assert {"load_in_4bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_compute_dtype"} <= set(bnb)
    from peft.tuners.lora import LoraModel
    assert hasattr(LoraModel, "merge_and_unload")       # called through PeftModel's attribute forwarding
