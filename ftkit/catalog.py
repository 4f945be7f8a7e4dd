"""The catalog: one record per paper, the single source of truth for `ftkit list`, the README
table, the notebook contract tests and each notebook's profile defaults.

A paper is `planned` until its notebook lands; then it is `ready` with a `smoke` profile (the
parameter defaults that run on a 2-core CPU offline, and their measured wall time) and `gpu`
overrides for one real GPU.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    params: dict            # smoke: every parameter; other profiles: overrides of smoke
    seconds: float          # expected wall time (measured for smoke)
    hardware: str


@dataclass(frozen=True)
class Paper:
    n: int
    slug: str
    short: str
    title: str
    arxiv: str
    theme: str
    card: str
    status: str = "planned"
    claim: str = ""
    profiles: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)   # name -> (low, high) for numeric parameters
    choices: dict = field(default_factory=dict)  # name -> allowed values for string parameters
    dry_run: dict = field(default_factory=dict)  # overrides that keep any profile's code path runnable on a CPU in seconds

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    def params(self, profile: str = "smoke") -> dict:
        """Full parameter set of a profile: smoke defaults updated with the profile's overrides."""
        if profile not in self.profiles:
            raise KeyError(f"{self.slug} has no profile {profile!r}; it has {sorted(self.profiles)}")
        out = dict(self.profiles["smoke"].params)
        out.update(self.profiles[profile].params)
        out["profile"] = profile
        return out


P = Paper
SEED_RANGE = (0, 2**31 - 1)

PAPERS = [
    P(1, "logicllama", 'LogicLLaMA', 'Harnessing the Power of Large Language Models for Natural Language to First-Order Logic Translation', "2305.15541", "reasoning & logic", "01-logicllama.md"),
    P(2, "masked_thought", 'Masked Thought (MFT)', 'Masked Thought: Simply Masking Partial Reasoning Steps Can Improve Mathematical Reasoning Learning of Language Models', "2403.02178", "reasoning & logic", "02-masked-thought.md"),
    P(3, "points", 'POINTS', 'POINTS: Improving Your Vision-language Model with Affordable Strategies', "2409.04828", "vision-language", "03-points.md"),
    P(4, "levi", 'LEVI', 'LEVI: Generalizable Fine-tuning via Layer-wise Ensemble of Different Views', "2402.04644", "robust fine-tuning", "04-levi.md"),
    P(5, "conjugate_prompting", 'Conjugate Prompting', 'Understanding Catastrophic Forgetting in Language Models via Implicit Inference', "2309.10105", "forgetting", "05-conjugate-prompting.md"),
    P(6, "lottery_ticket_sparse_ft", 'LT-SFT', 'Composable Sparse Fine-Tuning for Cross-Lingual Transfer', "2110.07560", "sparse fine-tuning", "06-composable-sft.md"),
    P(7, "clear_data_curation", 'CLEAR', 'Automated Data Curation for Robust Language Model Fine-Tuning', "2403.12776", "data curation", "07-clear-data-curation.md"),
    P(8, "locft_bf", 'LocFT-BF', 'Fine-tuning Done Right in Model Editing', "2509.22072", "model editing", "08-locft-bf.md"),
    P(9, "cge_novelty", 'CGE', "What's New in My Data? Novelty Exploration via Contrastive Generation", "2410.14765", "data selection", "09-cge-novelty.md"),
    P(10, "augmentation_for_pet", 'DA-for-PET', 'Effectiveness of Data Augmentation for Parameter Efficient Tuning with Limited Data', "2303.02577", "PEFT", "10-da-for-pet.md"),
    P(11, "got_d", 'GOT-D', 'Get more for less: Principled Data Selection for Warming Up Fine-Tuning in LLMs', "2405.02774", "data selection", "11-got-d.md"),
    P(12, "roste", 'RoSTE', 'RoSTE: An Efficient Quantization-Aware Supervised Fine-Tuning Approach for Large Language Models', "2502.09003", "quantization", "12-roste.md"),
    P(13, "tuco", 'TuCo', 'TuCo: Measuring the Contribution of Fine-Tuning to Individual Responses of LLMs', "2506.23423", "analysis", "13-tuco.md"),
    P(14, "dr_tune", 'DR-Tune', 'DR-Tune: Improving Fine-tuning of Pretrained Visual Models by Distribution Regularization with Semantic Calibration', "2308.12058", "vision fine-tuning", "14-dr-tune.md"),
    P(15, "searchinstruct", 'SearchInstruct', 'SearchInstruct: Enhancing Domain Adaptation via Retrieval-Based Instruction Dataset Creation', "2509.10708", "data curation", "15-searchinstruct.md"),
    P(16, "entity_tracking_finetuning", 'Fine-tuning enhances existing mechanisms', 'Fine-Tuning Enhances Existing Mechanisms: A Case Study on Entity Tracking', "2402.14811", "analysis", "16-entity-tracking-finetuning.md"),
    P(17, "half_fine_tuning", 'HFT', 'HFT: Half Fine-Tuning for Large Language Models', "2404.18466", "forgetting", "17-hft.md"),
    P(18, "tl_training", 'TL-Training', 'TL-Training: A Task-Feature-Based Framework for Training Large Language Models in Tool Use', "2412.15495", "tool use", "18-tl-training.md"),
    P(19, "lofit", 'LoFiT', 'LoFiT: Localized Fine-tuning on LLM Representations', "2406.01563", "PEFT", "19-lofit.md"),
    P(20, "glue_bag_of_tricks", 'Vega v1 bag of tricks', 'Bag of Tricks for Effective Language Model Pretraining and Downstream Adaptation: A Case Study on GLUE', "2302.09268", "recipes", "20-glue-bag-of-tricks.md"),
    P(21, "core_tuning", 'Core-tuning', 'Unleashing the Power of Contrastive Self-Supervised Visual Models via Contrast-Regularized Fine-Tuning', "2102.06605", "vision fine-tuning", "21-core-tuning.md"),
    P(22, "model_soups", 'Model soups', 'Model soups: averaging weights of multiple fine-tuned models improves accuracy without increasing inference time', "2203.05482", "weight averaging", "22-model-soups.md"),
    P(23, "look_supervised_pretrain", 'LOOK', 'Rethinking Supervised Pre-training for Better Downstream Transferring', "2110.06014", "vision fine-tuning", "23-look-supervised-pretrain.md"),
    P(24, "s3ft_selective_self_sft", 'S3FT', 'Selective Self-to-Supervised Fine-Tuning for Generalization in Large Language Models', "2502.08130", "forgetting", "24-s3ft-selective-self-sft.md"),
    P(25, "itool_mcts_pref", 'iTool', 'Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning', "2501.09766", "tool use", "25-itool-mcts-pref.md"),
    P(26, "deconfoundlm_causal", 'DeconfoundLM', 'Aligning Language Models with Observational Data: Opportunities and Risks from a Causal Perspective', "2506.00152", "preference learning", "26-deconfoundlm-causal.md"),
    P(27, "uds_batch_selection", 'UDS', 'Utility-Diversity Aware Online Batch Selection for LLM Supervised Fine-tuning', "2510.16882", "data selection", "27-uds-batch-selection.md"),
    P(28, "anytasktune", 'AnyTaskTune', 'AnyTaskTune: Advanced Domain-Specific Solutions through Task-Fine-Tuning', "2407.07094", "recipes", "28-anytasktune.md"),
    P(29, "onpolicy_pref", 'On-policy + negative gradient', 'Preference Fine-Tuning of LLMs Should Leverage Suboptimal, On-Policy Data', "2404.14367", "preference learning", "29-onpolicy-pref.md"),
    P(30, "dsee", 'DSEE', 'DSEE: Dually Sparsity-embedded Efficient Tuning of Pre-trained Language Models', "2111.00160", "sparse fine-tuning", "30-dsee-sparse-peft.md"),
    P(31, "finetune_pipeline_survey", 'Fine-tuning pipeline walkthrough', 'The Ultimate Guide to Fine-Tuning LLMs from Basics to Breakthroughs: An Exhaustive Review of Technologies, Research, Best Practices, Applied Research Challenges and Opportunities', "2408.13296", "recipes", "31-finetune-pipeline-survey.md"),
    P(32, "instruction_robustness", 'Instruction-phrasing robustness', 'Evaluating the Zero-shot Robustness of Instruction-tuned Language Models', "2306.11270", "robustness", "32-instruction-robustness.md"),
    P(33, "pseudo_label_pretrain", 'Pseudo-label pre-training', 'Predictions For Pre-training Language Models', "2011.09031", "pretraining", "33-pseudo-label-pretrain.md"),
    P(34, "vision_perturbations", 'Vision Matters', 'Vision Matters: Simple Visual Perturbations Can Boost Multimodal Math Reasoning', "", "vision-language", "34-vision-perturbations.md"),
    P(35, "aside_pathway_retrieval", 'IAA (Scattered or Connected?)', 'Scattered or Connected? An Optimized Parameter-efficient Tuning Approach for Information Retrieval', "2208.09847", "PEFT", "35-scattered-connected.md"),
    P(36, "skill_grafting", 'Grafting', 'Task-Specific Skill Localization in Fine-tuned Language Models', "2302.06600", "sparse fine-tuning", "36-skill-localization.md"),
    P(37, "sara", 'SaRA', 'SaRA: High-Efficient Diffusion Model Fine-tuning with Progressive Sparse Low-Rank Adaptation', "2409.06633", "diffusion", "37-sara.md"),
    P(38, "modality_interference", 'Modality Interference', 'Diagnosing and Mitigating Modality Interference in Multimodal Large Language Models', "2505.19616", "vision-language", "38-modality-interference.md"),
    P(39, "cot_noise_tint", 'TInt CoT noise', 'Understanding the Effect of Noise in LLM Training Data with Algorithmic Chains of Thought', "2402.04004", "reasoning & logic", "39-cot-noise-tint.md"),
    P(40, "unified_peft", 'Unified PETL / MAM Adapter', 'Towards a Unified View of Parameter-Efficient Transfer Learning', "2110.04366", "PEFT", "40-unified-peft.md"),
    P(41, "personalized_code", 'Personalized code models', 'Exploring and Evaluating Personalized Models for Code Generation', "2208.13928", "code", "41-personalized-code.md"),
    P(42, "biomed_ft_stability", 'Biomedical FT stability', 'Fine-Tuning Large Neural Language Models for Biomedical Natural Language Processing', "2112.07869", "stability", "42-biomed-ft-stability.md"),
    P(43, "mend", 'MEND', 'Fast Model Editing at Scale', "2110.11309", "model editing", "43-mend.md"),
    P(44, "lora_vs_full_ft", 'Intruder dimensions', 'LoRA vs Full Fine-tuning: An Illusion of Equivalence', "2410.21228", "PEFT analysis", "44-intruder-dims.md"),
    P(45, "quick_learners", 'Quick learners', 'Instruction Tuned Models are Quick Learners', "2306.05539", "instruction tuning", "45-quick-learners.md"),
]

# ---------------------------------------------------------------------------------------------
# Ready notebooks: their claim, profiles and parameter ranges. Smoke seconds are measured with
# `python benchmarks/smoke_times.py` on the 2-core CI machine.
# ---------------------------------------------------------------------------------------------
_N = (10, 10**7)
READY: dict[str, dict] = {
    "model_soups": dict(
        claim="A greedy soup of fine-tuned models matches the best single model and the k-pass ensemble; "
              "averaging needs a shared pretrained start.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, dataset="mnist5k", image_size=64, split_block=16, n_train=1000,
                                  n_val=300, n_test=1000, n_ingredients=8, steps=60, batch_size=64, n_control=5),
                             seconds=48, hardware="2-core CPU"),
            "gpu": Profile(dict(dataset="uoft-cs/cifar100", image_size=224, split_block=8, n_train=20000, n_val=2000,
                                n_test=5000, n_ingredients=12, steps=600, batch_size=128, n_control=5),
                           seconds=1800, hardware="1 GPU, 16 GB"),
        },
        dry_run=dict(dataset="mnist5k", image_size=64, split_block=16, n_train=200, n_val=100, n_test=200,
                     n_ingredients=3, steps=2, batch_size=16, n_control=2),
        ranges=dict(image_size=(16, 512), split_block=(1, 16), n_train=_N, n_val=_N, n_test=_N,
                    n_ingredients=(2, 64), steps=(1, 10**6), batch_size=(1, 4096), n_control=(2, 16)),
    ),
    "lora_vs_full_ft": dict(
        claim="Low-rank LoRA adds intruder dimensions that full fine-tuning does not; scaling them down reduces forgetting.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama", dataset="sort", forget_source="wiki-sample",
                                  n_train=2000, n_eval=300, max_steps=150, batch_size=16, max_len=48, lr_full=1e-3,
                                  lr_lora=3e-3, lora_ranks=[1, 4, 16], rslora_rank=64, top_k=10, eps=0.5,
                                  lambdas=[1.0, 0.75, 0.5, 0.25, 0.0]),
                             seconds=70, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-0.5B", dataset="meta-math/MetaMathQA", forget_source="Salesforce/wikitext",
                                n_train=20000, n_eval=500, max_steps=2000, batch_size=16, max_len=512, lr_full=2e-5,
                                lr_lora=5e-4, lora_ranks=[1, 8, 64], rslora_rank=128),
                           seconds=2400, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", dataset="sort", forget_source="wiki-sample", n_train=64, n_eval=32,
                     max_steps=2, max_len=48, lora_ranks=[1, 2], rslora_rank=4),
        ranges=dict(n_train=_N, n_eval=_N, max_steps=(1, 10**6), batch_size=(1, 4096), max_len=(8, 8192),
                    lr_full=(0, 1), lr_lora=(0, 1), rslora_rank=(1, 4096), top_k=(1, 4096), eps=(0, 1)),
    ),
    "half_fine_tuning": dict(
        claim="Freezing a random half of the matrices each round (HFT) retains more pre-trained knowledge than full fine-tuning.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama", task_sequence=["upper_first", "mod10", "sort"],
                                  task_length=4, forget_source="wiki-sample", n_train=1500, n_eval=200, max_steps=80,
                                  batch_size=16, max_len=48, lr=5e-4, granularity="category"),
                             seconds=61, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-0.5B", task_length=8, forget_source="Salesforce/wikitext",
                                n_train=20000, n_eval=500, max_steps=800, batch_size=16, max_len=64, lr=2e-5),
                           seconds=1200, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", forget_source="wiki-sample", task_length=4, n_train=64, n_eval=32,
                     max_steps=2, max_len=48),
        ranges=dict(task_length=(2, 20), n_train=_N, n_eval=_N, max_steps=(1, 10**6), batch_size=(1, 4096),
                    max_len=(8, 8192), lr=(0, 1)),
        choices=dict(granularity=["category", "model", "layer"]),
    ),
    "locft_bf": dict(
        claim="Breadth-first, mini-batch fine-tuning of one localized matrix beats depth-first editing, which forgets its own edits.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama-facts", edits_source="fact-world", n_edits=32,
                                  n_locality=150, layer=3, module="mlp.down_proj", lr=5e-3, lr_all=5e-4, batch_size=16,
                                  max_epochs=25, loss_stop=0.01, df_max_steps=30, sweep_layers=[1, 3, 5],
                                  sweep_modules=["mlp.down_proj", "self_attn.o_proj"]),
                             seconds=45, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-1.5B-Instruct", edits_source="azhx/counterfact", n_edits=1000,
                                n_locality=500, layer=6, lr=5e-4, lr_all=1e-5, batch_size=32, max_epochs=25,
                                sweep_layers=[4, 6, 12, 20]),
                           seconds=1800, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama-facts", edits_source="fact-world", n_edits=8, n_locality=20, layer=3,
                     max_epochs=1, df_max_steps=1, sweep_layers=[1], sweep_modules=["mlp.down_proj"]),
        ranges=dict(n_edits=(1, 10**6), n_locality=(1, 10**6), layer=(0, 200), lr=(0, 1), lr_all=(0, 1), batch_size=(1, 4096),
                    max_epochs=(1, 1000), loss_stop=(0, 10), df_max_steps=(1, 10**4)),
        choices=dict(module=["mlp.down_proj", "mlp.up_proj", "mlp.gate_proj", "self_attn.q_proj", "self_attn.k_proj",
                             "self_attn.v_proj", "self_attn.o_proj"]),
    ),
    "mend": dict(
        claim="A meta-trained MEND editor turns one gradient of a held-out edit into a weight update that makes the edit hold on paraphrases while leaving unrelated facts intact, unlike its untrained (identity) start.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama-facts", edits_source="fact-world",
                                  edit_layers=[4, 5], edit_modules=["mlp.up_proj", "mlp.down_proj"], n_train_edits=240,
                                  n_test_edits=24, n_test_subjects=40, n_locality=64, mend_rank=32, meta_steps=300,
                                  n_loc_per_step=8, editor_lr=1e-3, alpha_init=1e-2, alpha_lr=1e-3, c_edit=0.1,
                                  ft_steps=5, ft_lrs=[0.01, 0.1, 1.0], batch_edit_sizes=[1, 4, 12],
                                  heldout_source="wiki-sample", n_heldout=8, max_len=48),
                             seconds=45, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-0.5B", edits_source="azhx/counterfact", edit_layers=[21, 22, 23],
                                n_train_edits=2000, n_test_edits=200, n_locality=400, mend_rank=1920, meta_steps=5000,
                                editor_lr=1e-4, alpha_init=1e-4, alpha_lr=1e-4, ft_lrs=[1e-4, 1e-3, 1e-2],
                                batch_edit_sizes=[1, 4, 16, 64], heldout_source="Salesforce/wikitext", n_heldout=64,
                                max_len=64),
                           seconds=1800, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", edits_source="fact-world", edit_layers=[4, 5], n_train_edits=32,
                     n_test_edits=8, n_locality=40, mend_rank=8, meta_steps=2, batch_edit_sizes=[1, 4],
                     heldout_source="wiki-sample", n_heldout=4, max_len=48),
        ranges=dict(n_train_edits=(1, 10**7), n_test_edits=(1, 10**6), n_test_subjects=(1, 10**6), n_locality=(1, 10**7),
                    mend_rank=(1, 65536), meta_steps=(1, 10**7), n_loc_per_step=(1, 4096), editor_lr=(0, 1),
                    alpha_init=(0, 100), alpha_lr=(0, 1), c_edit=(0, 1000), ft_steps=(1, 10**4), n_heldout=(1, 10**6),
                    max_len=(8, 8192)),
        choices=dict(edits_source=["fact-world", "azhx/counterfact"]),
    ),
    "unified_peft": dict(
        claim="Prefix tuning is exactly a gated parallel adapter; adapters, prefix, LoRA and the MAM adapter compared one "
              "design dimension at a time at matched parameter budgets.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama", dataset="upper_first", n_train=2000,
                                  n_eval=100, steps=60, batch_size=16, max_len=32, lr_peft=3e-3, lr_full=1e-3,
                                  budgets=[4, 32], scale=4.0, identity_layer=3, identity_prefix_len=8, max_new_tokens=8),
                             seconds=38, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-0.5B", dataset="EdinburghNLP/xsum", n_train=20000, n_eval=500,
                                steps=2000, batch_size=16, max_len=512, lr_peft=1e-3, lr_full=2e-5, budgets=[16, 512],
                                identity_layer=12, identity_prefix_len=30, max_new_tokens=60),
                           seconds=10800, hardware="1 GPU, 40 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", dataset="upper_first", n_train=64, n_eval=16, steps=2, max_len=32,
                     budgets=[2, 8], identity_layer=3, identity_prefix_len=4, max_new_tokens=8),
        ranges=dict(n_train=_N, n_eval=(1, 10**6), steps=(1, 10**6), batch_size=(1, 4096), max_len=(8, 8192),
                    lr_peft=(0, 1), lr_full=(0, 1), scale=(0, 100), identity_layer=(0, 200), identity_prefix_len=(1, 4096),
                    max_new_tokens=(1, 1024)),
        choices=dict(dataset=["upper_first", "reverse", "sort", "mod10", "kv", "EdinburghNLP/xsum"]),
    ),
    "dsee": dict(
        claim="A low-rank + sparse update (sparse support from a low-rank + sparse decomposition of the pre-trained "
              "weight) tunes as well as LoRA at matched parameters; magnitude-pruned weights need re-tuning, which "
              "recovers the accuracy.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="sentence-transformers/all-MiniLM-L6-v2",
                                  dataset="sentiment", n_layers=3, n_train=1200, n_test=400, max_len=32, batch_size=16,
                                  steps=60, lr=5e-3, lora_r=4, lora_alpha=4, num_sparse=64, decomp_rank_max=64,
                                  decomp_thresh_sd=2.5, train_seeds=2, extra_ranks=[8], prune_ratios=[0.2, 0.5, 0.7],
                                  retune_steps=20, heads_pruned=3),
                             seconds=49, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="google-bert/bert-base-uncased", dataset="nyu-mll/glue", n_layers=12,
                                n_train=67349, n_test=872, max_len=128, batch_size=32, steps=6000, lr=2e-4, lora_r=16,
                                lora_alpha=16, train_seeds=3, retune_steps=1000),
                           seconds=2400, hardware="1 GPU, 16 GB"),
        },
        dry_run=dict(model_id="sentence-transformers/all-MiniLM-L6-v2", dataset="sentiment", n_layers=2, n_train=64,
                     n_test=32, max_len=32, steps=2, retune_steps=2, train_seeds=1, extra_ranks=[2], prune_ratios=[0.5],
                     decomp_rank_max=11),
        ranges=dict(n_layers=(1, 48), n_train=_N, n_test=_N, max_len=(8, 512), batch_size=(1, 4096), steps=(1, 10**6),
                    lr=(0, 1), lora_r=(1, 1024), lora_alpha=(0, 4096), num_sparse=(0, 10**6), decomp_rank_max=(1, 4096),
                    decomp_thresh_sd=(0, 100), train_seeds=(1, 10), retune_steps=(0, 10**6), heads_pruned=(0, 64)),
        choices=dict(dataset=["sentiment", "nyu-mll/glue"]),
    ),
    "lottery_ticket_sparse_ft": dict(
        claim="Lottery-ticket sparse fine-tunings (dense phase, top-K of |θ−θ₀|, reset, masked re-training) learn a "
              "task and a language in K-sparse deltas that compose by addition; at tiny scale the task does not "
              "transfer to an unseen cipher language (reported).",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama", lang_source="cipher", src_lang="A",
                                  tgt_lang="B", task_source="cipher-topics", target_eval="cipher-topics", n_lang_text=1000,
                                  n_task=600, n_test=150, loanwords=0.5, steps_full=40, steps_sparse=40, lr=3e-3,
                                  batch_size=16, max_len=48, density=0.05, density_sweep=[0.01, 0.2]),
                             seconds=39, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="google-bert/bert-base-multilingual-cased", lang_source="wikimedia/wikipedia",
                                src_lang="en", tgt_lang="sw", task_source="eriktks/conll2003",
                                target_eval="masakhane/masakhaner2", n_lang_text=20000, n_task=14000, n_test=1000,
                                steps_full=2000, steps_sparse=2000, lr=5e-5, batch_size=8, max_len=256),
                           seconds=3600, hardware="1 GPU, 16 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", lang_source="cipher", src_lang="A", tgt_lang="B",
                     task_source="cipher-topics", target_eval="cipher-topics", n_lang_text=64, n_task=48, n_test=30,
                     steps_full=2, steps_sparse=2, max_len=48),
        ranges=dict(n_lang_text=_N, n_task=_N, n_test=_N, loanwords=(0, 1), steps_full=(1, 10**6),
                    steps_sparse=(1, 10**6), lr=(0, 1), batch_size=(1, 4096), max_len=(8, 8192), density=(0, 1)),
        choices=dict(lang_source=["cipher", "wikimedia/wikipedia"], task_source=["cipher-topics", "eriktks/conll2003"],
                     target_eval=["cipher-topics", "masakhane/masakhaner2"]),
    ),
    "skill_grafting": dict(
        claim="Grafting a small learnt region of the fine-tuned weights (1% of the encoder's linear weights at tiny scale) "
              "onto the pre-trained model recovers most of the fine-tuning gain; a random region of equal size recovers "
              "almost none.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="sentence-transformers/all-MiniLM-L6-v2",
                                  dataset="sentiment", ood_datasets=["ood_templates", "polarity"], n_per_class=64,
                                  n_test=300, n_ood=300, max_len=32, ft_steps=60, ft_lr=0.05, ft_batch=16,
                                  sparsities=[0.0001, 0.001, 0.01], graft_steps=40, graft_batch=32, graft_step0=2.0,
                                  sigmoid_bias=10.0, round_every=10, interp_alphas=[0.5]),
                             seconds=76, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="FacebookAI/roberta-base", dataset="stanfordnlp/sst2",
                                ood_datasets=["stanfordnlp/imdb", "fancyzhx/yelp_polarity"], n_test=872, n_ood=1000,
                                max_len=128, ft_steps=1000, ft_lr=0.01, ft_batch=8, sparsities=[0.00001, 0.0001, 0.001],
                                graft_steps=400, round_every=20),
                           seconds=1800, hardware="1 GPU, 16 GB"),
        },
        dry_run=dict(model_id="sentence-transformers/all-MiniLM-L6-v2", dataset="sentiment",
                     ood_datasets=["ood_templates", "polarity"], n_per_class=8, n_test=32, n_ood=32, max_len=32,
                     ft_steps=2, graft_steps=2, round_every=1),
        ranges=dict(n_per_class=(1, 10**6), n_test=_N, n_ood=_N, max_len=(8, 512), ft_steps=(1, 10**6), ft_lr=(0, 100),
                    ft_batch=(1, 4096), graft_steps=(1, 10**6), graft_batch=(1, 4096), graft_step0=(0, 1000),
                    sigmoid_bias=(0, 100), round_every=(1, 10**6)),
        choices=dict(dataset=["sentiment", "stanfordnlp/sst2"]),
    ),
    "lofit": dict(
        claim="Learned bias vectors on a few attention heads, chosen by L1-penalised per-head scalings, make a frozen model "
              "answer held-out questions truthfully far better than the base model and than an ITI-style probe shift.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama-facts", dataset="fact-world", templates=[2, 6],
                                  n_train=360, top_k=3, l1_lambda=1e-2, lr_A=5e-2, lr_v=5e-2, steps_A=60, steps_v=100,
                                  batch_size=16, dpo_beta=0.5, iti_alphas=[0, 1, 2, 5, 10, 20], n_random=2, lora_rank=4,
                                  lr_lora=3e-3, max_len=48),
                             seconds=43, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-1.5B", dataset="truthfulqa/truthful_qa", n_train=300, top_k=10,
                                l1_lambda=1e-3, lr_A=1e-3, lr_v=1e-2, steps_A=190, steps_v=190, batch_size=8,
                                iti_alphas=[0, 5, 10, 15, 20], n_random=3, lora_rank=8, lr_lora=3e-4, max_len=192),
                           seconds=1200, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama-facts", dataset="fact-world", n_train=48, top_k=2, steps_A=2, steps_v=2,
                     batch_size=4, iti_alphas=[0, 5], n_random=1, lora_rank=2, max_len=48),
        ranges=dict(n_train=(8, 10**6), top_k=(1, 10**5), l1_lambda=(0, 10), lr_A=(0, 1), lr_v=(0, 1), steps_A=(1, 10**6),
                    steps_v=(1, 10**6), batch_size=(1, 4096), dpo_beta=(0, 100), n_random=(1, 100), lora_rank=(1, 4096),
                    lr_lora=(0, 1), max_len=(8, 8192)),
        choices=dict(dataset=["fact-world", "truthfulqa/truthful_qa"]),
    ),
    "roste": dict(
        claim="Hadamard rotations chosen by quantization error remove the down_proj activation outliers and make 4-bit "
              "quantization-aware SFT (STE, W4A4KV4) work: RoSTE beats plain STE QA-SFT on the quantized model.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="ftkit/tiny-llama", dataset="sort", n_train=3000, n_eval=500,
                                  n_calib=64, max_steps=150, batch_size=16, max_len=48, lr=1e-3, w_bits=4, a_bits=4, kv_bits=4),
                             seconds=47, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="Qwen/Qwen2.5-0.5B", dataset="trl-lib/tldr", n_train=20000, n_eval=500, n_calib=128,
                                max_steps=1000, batch_size=16, max_len=512, lr=1e-5),
                           seconds=2400, hardware="1 GPU, 40 GB"),
        },
        dry_run=dict(model_id="ftkit/tiny-llama", dataset="sort", n_train=64, n_eval=32, n_calib=8, max_steps=2, max_len=48),
        ranges=dict(n_train=_N, n_eval=(1, 10**6), n_calib=(1, 4096), max_steps=(1, 10**6), batch_size=(1, 4096),
                    max_len=(8, 8192), lr=(0, 1), w_bits=(2, 16), a_bits=(2, 16), kv_bits=(2, 16)),
        choices=dict(dataset=["sort", "reverse", "mod10", "kv", "upper_first", "trl-lib/tldr"]),
    ),
    "aside_pathway_retrieval": dict(
        claim="A connected side pathway of bottleneck modules gives every module a direct gradient route to the "
              "output (checked exactly at step 0) and converges faster than the same modules scattered at the same "
              "learning rate; with the learning rate tuned per arm its edge is within noise at 6 layers (reported).",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="sentence-transformers/all-MiniLM-L6-v2",
                                  dataset="alias", n_train=360, n_test=120, two_tower=False, max_len=32, batch_size=16,
                                  group_size=1, steps=30, tau=0.05, r_houlsby=8, r_lora=8, r_aside=16, lr_full=1e-4,
                                  lrs_peft=[3e-3, 1e-2]),
                             seconds=60, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="google-bert/bert-base-uncased", dataset="Tevatron/msmarco-passage",
                                n_train=20000, n_test=1000, two_tower=True, max_len=128, batch_size=32, group_size=8,
                                steps=2000, tau=0.05, r_houlsby=64, r_lora=64, r_aside=128, lr_full=5e-6,
                                lrs_peft=[1e-4, 1e-3]),
                           seconds=3600, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="sentence-transformers/all-MiniLM-L6-v2", dataset="alias", n_train=48, n_test=16,
                     two_tower=True, steps=2, batch_size=8, lrs_peft=[1e-3]),
        ranges=dict(n_train=_N, n_test=_N, max_len=(8, 512), batch_size=(2, 4096), group_size=(1, 64),
                    steps=(1, 10**6), tau=(1e-4, 100), r_houlsby=(1, 1024), r_lora=(1, 1024), r_aside=(1, 2048),
                    lr_full=(0, 1)),
        choices=dict(dataset=["alias", "Tevatron/msmarco-passage"]),
    ),
    "augmentation_for_pet": dict(
        claim="With 48 examples per class, LoRA and hand-written deep prompts (P-tuning v2) at equal trainable parameters "
              "are trained without augmentation, with EDA, and with Mixup. Deep prompts separate the classes' pooled "
              "embeddings less well than LoRA. The SupCon remedy lowers the contrastive loss; its accuracy effect is reported, "
              "as are the effects of augmentation.",
        profiles={
            "smoke": Profile(dict(profile="smoke", seed=0, model_id="sentence-transformers/all-MiniLM-L6-v2",
                                  dataset="sentiment", glue_task="rte", n_layers=3, n_per_class=48, n_test=200,
                                  max_len=32, batch_size=16, steps=60, lr_lora=5e-3, lr_prefix=2e-2, lora_r=8,
                                  lora_alpha=16, prefix_len=16, n_aug=2, eda_alpha=0.1, heavy_alpha=0.3, mixup_a=0.4,
                                  supcon_weight=0.5, temperature=0.1,
                                  arms=["lora:none", "lora:eda", "lora:mixup", "prefix:none", "prefix:eda",
                                        "prefix:eda+supcon"], bt_models=[]),
                             seconds=36, hardware="2-core CPU"),
            "gpu": Profile(dict(model_id="FacebookAI/roberta-large", dataset="aps/super_glue", glue_task="rte",
                                n_layers=0, n_per_class=500, n_test=277, max_len=256, steps=1000, lr_lora=5e-4,
                                lr_prefix=5e-3, n_aug=4,
                                arms=["lora:none", "lora:eda", "lora:bt", "lora:mixup", "prefix:none", "prefix:eda",
                                      "prefix:bt", "prefix:mixup", "prefix:eda+supcon"],
                                bt_models=["Helsinki-NLP/opus-mt-en-de", "Helsinki-NLP/opus-mt-de-en"]),
                           seconds=2400, hardware="1 GPU, 24 GB"),
        },
        dry_run=dict(model_id="sentence-transformers/all-MiniLM-L6-v2", dataset="sentiment", n_layers=2, n_per_class=8,
                     n_test=32, max_len=32, steps=2, n_aug=1, bt_models=[],
                     arms=["lora:none", "lora:eda", "lora:mixup", "prefix:none", "prefix:eda", "prefix:eda+supcon"]),
        ranges=dict(n_layers=(0, 48), n_per_class=(2, 10**6), n_test=(10, 10**6), max_len=(8, 512), batch_size=(2, 4096),
                    steps=(1, 10**6), lr_lora=(0, 1), lr_prefix=(0, 1), lora_r=(1, 1024), lora_alpha=(0, 4096),
                    prefix_len=(1, 512), n_aug=(1, 64), eda_alpha=(0, 1), heavy_alpha=(0, 1), mixup_a=(0, 100),
                    supcon_weight=(0, 100), temperature=(0, 100)),
        choices=dict(dataset=["sentiment", "aps/super_glue"], glue_task=["rte", "boolq", "cb"]),
    ),
}

BY_SLUG = {p.slug: p for p in PAPERS}


def _mark_ready() -> None:
    from dataclasses import replace
    for slug, spec in READY.items():
        BY_SLUG[slug] = replace(BY_SLUG[slug], status="ready", **spec)
    PAPERS[:] = [BY_SLUG[p.slug] for p in PAPERS]


def get(slug: str) -> Paper:
    if slug not in BY_SLUG:
        import difflib
        near = difflib.get_close_matches(slug, BY_SLUG, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `ftkit list` shows them all"
        raise KeyError(f"unknown notebook {slug!r}{hint}")
    return BY_SLUG[slug]


def ready() -> list[Paper]:
    return [p for p in PAPERS if p.status == "ready"]


_mark_ready()
