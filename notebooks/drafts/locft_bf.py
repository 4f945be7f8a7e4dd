# DRAFT (not in the catalog, not executed by CI) -- LocFT-BF notebook source in percent format (issue 4).
# Build: python notebooks/drafts/mknb.py notebooks/drafts/locft_bf.py notebooks/locft_bf.ipynb [--execute]
# (cells split on '# %%'), then add the READY entry (below) to ftkit/catalog.py.
#
# Where it stands (session 1, ftkit/tiny-llama-facts, 32 edits):
# - The absolute claim "LocFT-BF reliability >= 90% and locality >= 80%" does not hold at this scale: edits that
#   reach full reliability spill onto other subjects (locality 17-49%); so the claims were rewritten as relative
#   mechanism checks (BF > DF reliability by 20 pts; DF forgets its first edits by 30 pts; localized locality >=
#   all-parameter locality; location spread >= 10 pts).
# - With max_epochs=15, df_max_steps=30 all four held on seed 0 (LocFT-BF 88% vs DF 50%; first edits 100% -> 0%;
#   locality 42% vs 19%; sweep spread 100) but the notebook took ~190 s on 2 cores (too slow for smoke).
# - With max_epochs=10, df_max_steps=20 (faster, ~100 s) LocFT-BF does not converge (59-62% reliability) and claim 1
#   failed on seeds 1 and 2. Next: keep 15-25 epochs (the paper's recipe) and cut cost elsewhere -- fewer locality
#   rows, sweep layers [1, 5] x down_proj only, batch 32 -- then check seeds 0-3.
# Catalog entry used (smoke): model_id="ftkit/tiny-llama-facts", edits_source="fact-world", n_edits=32, n_locality=150,
#   layer=3, module="mlp.down_proj", lr=5e-3, lr_all=5e-4, batch_size=16, max_epochs=15, loss_stop=0.01,
#   df_max_steps=30, sweep_layers=[1,3,5], sweep_modules=["mlp.down_proj","self_attn.o_proj"];
#   gpu: Qwen/Qwen2.5-1.5B-Instruct, azhx/counterfact (schema not checked), n_edits=1000, layer=6, lr=5e-4, batch 32.
# %% [markdown]
# # LocFT-BF: fine-tuning done right for model editing
#
# **Paper:** *Fine-tuning Done Right in Model Editing* — Wanli Yang, Fei Sun, et al. (2025).
# [arXiv:2509.22072](https://arxiv.org/abs/2509.22072)
#
# **The idea.** Plain fine-tuning is usually reported as a weak model-editing baseline. The paper traces this to how
# editing benchmarks run it: **depth-first** — one edit at a time, batch size 1, optimised to convergence before the
# next — so each edit is over-fitted and later edits overwrite earlier ones. Restoring the ordinary **breadth-first**
# recipe (several epochs over the whole edit set, in mini-batches) makes fine-tuning strong. Adding a **localized**
# choice of what to tune — one matrix, e.g. the MLP down-projection of one layer — gives **LocFT-BF**, which the
# paper finds beats dedicated editing methods.
#
# **What you will learn:** the editing metrics (reliability, generalization, locality, general ability); why the
# depth-first pipeline forgets its own edits; how to write LocFT-BF (one unfrozen matrix, mini-batches, EOS on the
# targets, loss on target tokens only, early stopping); and how the edited location changes the trade-off.
#
# | profile | model / data | hardware | time |
# |---|---|---|---|
# | `smoke` (default) | `ftkit/tiny-llama-facts` (knows a fictional fact world), 32 counterfactual edits | 2-core CPU, offline | ~1 min |
# | `gpu` | `Qwen/Qwen2.5-1.5B-Instruct`, 1000 CounterFact edits (`azhx/counterfact`) | 1 GPU (≥ 24 GB) | ~30 min |

# %% tags=["remove-output", "versions"]
import platform, torch, transformers, peft, trl, bitsandbytes
print(f"python {platform.python_version()} | torch {torch.__version__} | transformers {transformers.__version__} | "
      f"peft {peft.__version__} | trl {trl.__version__} | bitsandbytes {bitsandbytes.__version__} | "
      f"device {'cuda' if torch.cuda.is_available() else 'cpu'}")

# %% tags=["parameters"]
profile = "smoke"
seed = 0
model_id = "ftkit/tiny-llama-facts"
edits_source = "fact-world"
n_edits = 32
n_locality = 150
layer = 3
module = "mlp.down_proj"
lr = 5e-3
lr_all = 5e-4
batch_size = 16
max_epochs = 15
loss_stop = 0.01
df_max_steps = 30
sweep_layers = [1, 3, 5]
sweep_modules = ["mlp.down_proj", "self_attn.o_proj"]

# %%
import copy, random
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from ftkit import config, editing, evaluate, models, plots, tasks, train
from ftkit.report import Run

cfg = config.from_notebook("locft_bf", globals())
run = Run("locft_bf", cfg)
train.seed_everything(cfg["seed"])
plots.style()
cfg

# %% [markdown]
# ## 1. A model that knows facts, and the edits
#
# Editing only means something if the model knows the facts first. `ftkit/tiny-llama-facts` was pretrained by ftkit's zoo
# on a fictional world of 120 countries (capital, language, national animal), each fact written with five templates;
# two more templates were held out, and its manifest records recall on them. An **edit** rewrites one fact
# ("The capital of Lozu is Renka" → "… is Bel"): the model is trained on the edit prompt (template 0) and tested on it
# (**reliability**), on the two held-out templates (**generalization**), on facts of countries no edit touched
# (**locality**: they must keep the answer the unedited model gave), and on held-out Wikipedia text (general ability).

# %%
tok = models.load_tokenizer(cfg["model_id"])
base = models.load_model(cfg["model_id"])
edits, locality_all = tasks.load_edits(cfg["edits_source"], cfg["n_edits"], seed=cfg["seed"])
locality = editing.locality_reference(base, tok, locality_all)
locality = random.Random(cfg["seed"]).sample(locality, min(cfg["n_locality"], len(locality)))
heldout = tasks.forgetting_texts("wiki-sample", n=32, seed=cfg["seed"])
old_facts = [{"prompt": e["prompt"], "answer": e["old_answer"]} for e in edits]
before = editing.edit_metrics(base, tok, edits, locality, heldout)
print("an edit:", {k: edits[0][k] for k in ("prompt", "old_answer", "answer")}, "| paraphrase:", edits[0]["paraphrases"][0]["prompt"])
print(f"before editing: the model recalls {100 * evaluate.answer_accuracy(base, tok, old_facts):.0f}% of the "
      f"facts to be edited; {len(locality)} locality facts it answers correctly")
pd.Series(before).round(3)

# %% [markdown]
# ## 2. The objective: targets with EOS, loss on target tokens only
#
# For an edit (p, t), the target gets a leading space and the EOS token appended (the paper stresses EOS: without it
# the edited model runs on past the answer). The loss is the mean negative log-likelihood of the target tokens,
# averaged per example and then over the mini-batch:
#
# $$\mathcal{L}(B) = \frac{1}{|B|}\sum_{(p,t)\in B} \frac{1}{|t|}\sum_{j=1}^{|t|} -\log p_\theta(t_j \mid p, t_{<j}).$$
#
# `ftkit.train.encode_pairs` builds the rows (prompt tokens labelled −100, EOS appended).

# %%
def edit_loss(model, batch):
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    labels = batch["labels"][:, 1:]
    nll = torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=train.IGNORE,
                                            reduction="none").view(labels.shape)
    mask = (labels != train.IGNORE).float()
    return ((nll * mask).sum(1) / mask.sum(1)).mean()           # mean over examples of the mean token NLL


def unfreeze_only(model, names):
    for n, p in model.named_parameters():
        p.requires_grad_(n in names)
    return [p for n, p in model.named_parameters() if n in names]


def weight_name(layer, module):
    return f"model.layers.{layer}.{module}.weight"


encoded = train.encode_pairs(tok, edits, max_len=48)           # EOS appended to every target

# %% [markdown]
# ## 3. Depth-first: one edit at a time, to convergence
#
# The pipeline inherited by editing benchmarks: for each edit in turn, take Adam steps on that single example until
# its loss falls below `loss_stop` (or `df_max_steps`), then move on and never revisit it. We tune the same single
# matrix as LocFT-BF, so the only difference is the schedule. Every 8 edits we record the reliability of all edits
# made so far — the **forgetting curve**.

# %%
def edit_depth_first(model, params, lr, track_every=8):
    opt = torch.optim.Adam(params, lr=lr)
    curve = []
    for k, row in enumerate(encoded):
        batch = train.collate([row], tok.pad_token_id)
        for _ in range(cfg["df_max_steps"]):
            loss = edit_loss(model, batch)
            if loss.item() < cfg["loss_stop"]:
                break
            opt.zero_grad(); loss.backward(); opt.step()
        if (k + 1) % track_every == 0 or k + 1 == len(encoded):
            model.eval()
            _, hits = evaluate.answer_accuracy(model, tok, edits[: k + 1], per_example=True)
            curve.append((k + 1, 100 * np.mean(hits), 100 * np.mean(hits[:track_every])))
    return curve


df_model = copy.deepcopy(base)
df_curve = edit_depth_first(df_model, unfreeze_only(df_model, {weight_name(cfg["layer"], cfg["module"])}), cfg["lr"])
results = {"before editing": before, "FT-DF (one matrix)": editing.edit_metrics(df_model, tok, edits, locality, heldout)}

# %% [markdown]
# ## 4. Breadth-first: epochs over the whole edit set, in mini-batches
#
# LocFT-BF, as the paper's reference code runs it: freeze everything but one matrix W (layer ℓ's `module`); for each
# epoch, shuffle the edits and take one Adam step per mini-batch **unless that batch is already fitted**
# (loss < `loss_stop`); stop early when the epoch's mean loss is below `loss_stop`. FT-BF is the same schedule over
# all parameters (with a smaller learning rate, as full fine-tuning needs).

# %%
def edit_breadth_first(model, params, lr, seed):
    opt = torch.optim.Adam(params, lr=lr)
    rng = random.Random(seed)
    order = list(range(len(encoded)))
    for epoch in range(cfg["max_epochs"]):
        rng.shuffle(order)
        losses = []
        for i in range(0, len(order), cfg["batch_size"]):
            batch = train.collate([encoded[j] for j in order[i:i + cfg["batch_size"]]], tok.pad_token_id)
            loss = edit_loss(model, batch)
            losses.append(loss.item())
            if loss.item() >= cfg["loss_stop"]:                # skip batches that are already fitted
                opt.zero_grad(); loss.backward(); opt.step()
        if np.mean(losses) < cfg["loss_stop"]:                 # early stop on the epoch's mean loss
            break
    model.eval()
    return epoch + 1


loc_model = copy.deepcopy(base)
loc_epochs = edit_breadth_first(loc_model, unfreeze_only(loc_model, {weight_name(cfg["layer"], cfg["module"])}), cfg["lr"], cfg["seed"])
results["LocFT-BF (one matrix)"] = editing.edit_metrics(loc_model, tok, edits, locality, heldout)
all_model = copy.deepcopy(base)
all_epochs = edit_breadth_first(all_model, unfreeze_only(all_model, {n for n, _ in all_model.named_parameters()}), cfg["lr_all"], cfg["seed"])
results["FT-BF (all parameters)"] = editing.edit_metrics(all_model, tok, edits, locality, heldout)
print(f"LocFT-BF stopped after {loc_epochs} epochs, FT-BF after {all_epochs}")
table = pd.DataFrame(results).T
table.round(2)

# %% [markdown]
# ## 5. Where to edit: a layer × module sweep
#
# The paper's second finding is that *where* fine-tuning edits matters, and that the locations editing benchmarks
# inherited are not the best. We rerun LocFT-BF on each (layer, module) cell of a small grid.

# %%
sweep = {}
for L in cfg["sweep_layers"]:
    for mod in cfg["sweep_modules"]:
        if (L, mod) == (cfg["layer"], cfg["module"]):          # already trained above
            sweep[(L, mod)] = results["LocFT-BF (one matrix)"]
            continue
        m = copy.deepcopy(base)
        edit_breadth_first(m, unfreeze_only(m, {weight_name(L, mod)}), cfg["lr"], cfg["seed"])
        sweep[(L, mod)] = editing.edit_metrics(m, tok, edits, locality)
rel = np.array([[sweep[(L, mod)]["reliability %"] for mod in cfg["sweep_modules"]] for L in cfg["sweep_layers"]])
gen = np.array([[sweep[(L, mod)]["generalization %"] for mod in cfg["sweep_modules"]] for L in cfg["sweep_layers"]])
loc = np.array([[sweep[(L, mod)]["locality %"] for mod in cfg["sweep_modules"]] for L in cfg["sweep_layers"]])

fig, ax = plt.subplots(1, 4, figsize=(18, 3.8))
steps_, all_so_far, first = zip(*df_curve)
ax[0].plot(steps_, all_so_far, "-o", label="all edits so far"); ax[0].plot(steps_, first, "-s", label="the first 8 edits")
ax[0].axhline(results["LocFT-BF (one matrix)"]["reliability %"], color="C2", ls="--", label="LocFT-BF, all edits")
ax[0].set(title="Depth-first editing forgets its own edits", xlabel="edits made", ylabel="reliability %"); ax[0].legend(fontsize=8)
for a, mat, name in zip(ax[1:], (rel, gen, loc), ("reliability %", "generalization %", "locality %")):
    plots.heatmap(mat, f"LocFT-BF sweep: {name}", "module", "layer", ax=a, vmin=0, vmax=100)
    a.set_xticks(range(len(cfg["sweep_modules"])), [m.split(".")[1] for m in cfg["sweep_modules"]])
    a.set_yticks(range(len(cfg["sweep_layers"])), cfg["sweep_layers"])
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            a.text(j, i, f"{mat[i, j]:.0f}", ha="center", va="center", color="w")
plt.tight_layout(); plt.show()

# %%
fig, ax = plt.subplots(figsize=(8, 3.6))
names = [n for n in table.index if n != "before editing"]
x = np.arange(3)
for i, n in enumerate(names):
    ax.bar(x + (i - 1) * 0.27, [table.loc[n, c] for c in ("reliability %", "generalization %", "locality %")], width=0.27, label=n)
ax.set_xticks(x, ["reliability", "generalization", "locality"]); ax.set(title=f"{cfg['n_edits']} edits: depth-first vs breadth-first", ylabel="%")
ax.legend(fontsize=8); plt.show()

# %% [markdown]
# ## 6. Paper vs ours, and the claim check
#
# The paper's verified claims (abstract): breadth-first, mini-batch fine-tuning substantially improves fine-tuning for
# editing, and LocFT-BF beats state-of-the-art editors by large margins while keeping general ability; its tables'
# numbers are not verified in our card, so we do not quote them. What we assert in the smoke profile, for any seed:
#
# 1. **Breadth-first beats depth-first** on the same matrix: final reliability of LocFT-BF exceeds FT-DF's by at least
#    20 points.
# 2. **Depth-first forgets its own edits**: the first 8 edits, reliable right after they were made, lose at least 30
#    points of reliability by the end of the sequence.
# 3. **Localized beats all-parameter breadth-first on locality**: LocFT-BF's locality is at least FT-BF's.
# 4. **Location matters**: across the sweep, reliability or locality varies by at least 10 points.
#
# **What does not reproduce at this scale:** the paper edits without hurting unrelated knowledge. Our 2 M model stores
# its facts in entangled form, so edits that reach full reliability spill onto other countries' facts (locality well
# below 100%, see the table), and generalization to unseen paraphrase templates is limited by the model's own recall
# on them (29% before any edit, see the manifest). We report both and assert only the comparisons above.

# %%
L_, D_, A_ = table.loc["LocFT-BF (one matrix)"], table.loc["FT-DF (one matrix)"], table.loc["FT-BF (all parameters)"]
run.log(table=table.reset_index().to_dict("records"), df_curve=df_curve, loc_epochs=loc_epochs, all_epochs=all_epochs,
        sweep={f"{k[0]}:{k[1]}": v for k, v in sweep.items()})
run.claim("breadth-first beats depth-first", L_["reliability %"] >= D_["reliability %"] + 20,
          f"reliability LocFT-BF {L_['reliability %']:.0f}% vs FT-DF {D_['reliability %']:.0f}%")
first_after_made, first_at_end = df_curve[0][2], df_curve[-1][2]
run.claim("depth-first forgets its own edits", first_at_end <= first_after_made - 30,
          f"first 8 edits: {first_after_made:.0f}% right after, {first_at_end:.0f}% after all {cfg['n_edits']} edits")
run.claim("localized keeps locality at least as well as all-parameter BF", L_["locality %"] >= A_["locality %"],
          f"locality {L_['locality %']:.0f}% vs {A_['locality %']:.0f}%")
spread = max(rel.max() - rel.min(), loc.max() - loc.min())
run.claim("location matters", spread >= 10, f"largest spread across the sweep: {spread:.0f} points")
run.compare("reliability, FT-DF → LocFT-BF", "substantially improved (abstract; table values not verified)",
            f"{D_['reliability %']:.0f}% → {L_['reliability %']:.0f}%")
run.compare("generalization (paraphrases), LocFT-BF", "not verified", f"{L_['generalization %']:.0f}%")
run.compare("locality, LocFT-BF vs FT-BF", "not verified", f"{L_['locality %']:.0f}% vs {A_['locality %']:.0f}%")
run.compare("held-out loss change, LocFT-BF", "general capability kept (abstract)", round(L_["held-out loss"] - before["held-out loss"], 3))
run.table()

# %%
run.finish()
