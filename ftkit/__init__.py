"""ftkit: the shared package of a workbook that reproduces fine-tuning papers, one runnable notebook each."""
import logging
import warnings

# Library noise that would bury the lines that matter in every notebook's output:
# bitsandbytes warns at import, on CPUs with AVX512-BF16, that an optional kernel from the Hub is not installed;
# transformers deprecates a method that peft still calls.
logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", message=r".*is_gradient_checkpointing.*", category=FutureWarning)
