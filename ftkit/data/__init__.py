"""Data for the notebooks, by where it comes from.

    synthetic   seeded generators: prompt/answer task families, the fictional fact world and its
                counterfactual edits, the two-language topic world, sentiment sentences + EDA, the
                alias-retrieval corpus. Same seed, same rows; no files, no network.
    text        real text shipped inside PyPI packages (offline): gensim's Wikipedia sample
                (wiki_pages / wiki_chunks), Pang & Lee polarity sentences, a 20-Newsgroups sample.
    images      real images shipped inside PyPI packages (offline): MNIST-5k, and shift_images.
    hub         every Hugging Face hub loader the gpu profiles use (one named, tested function per data
                set), and the dispatchers.

Dispatchers live in `hub`: `load_pairs`, `load_images`, `load_edits` and `forgetting_texts` take a config's
dataset name and serve an offline name ("reverse", "mnist5k", "fact-world", "wiki-sample") from synthetic /
images / text, any other name from the hub loader next to them. A notebook whose smoke profile is offline
and whose gpu profile reads the hub therefore calls `hub.load_*` in both profiles.

    from ftkit.data import hub, synthetic, text as textsets   # `text` is a common notebook variable
"""
from . import hub, images, synthetic, text

__all__ = ["hub", "images", "synthetic", "text"]
