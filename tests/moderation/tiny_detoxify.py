"""Build tiny checkpoints in Detoxify's own format, so the real loading path runs offline in tests."""

from __future__ import annotations

from pathlib import Path

CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
SENTENCES = [
    "sending you strength today",
    "dialysis was hard this week",
    "you are pathetic and stupid",
    "my renal nurse is lovely",
    "i hate this disease so much",
    "the transplant list moves slowly",
    "thank you all for the kind words",
    "shut up nobody cares about you",
    "insulin pump training tomorrow",
    "cardiac rehab made me nervous",
    "evening slots help with uni",
    "frozen grapes for the fluid limit",
]


def build(folder: Path, *, rigged_logits: list[float] | None = None) -> tuple[Path, Path]:
    """A tiny BERT (two layers, hidden size 32) saved as a Hugging Face folder plus a .ckpt file.

    With `rigged_logits`, every weight is zero and the classifier bias is set, so the model's
    output for any text is sigmoid(rigged_logits): known values to assert against.
    """
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tokenizer.train_from_iterator(SENTENCES * 5, trainer)
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    (folder / "vocab.txt").write_text("\n".join(token for token, _ in vocab) + "\n")
    BertTokenizer(str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)

    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(CLASSES),
    )
    config.save_pretrained(folder)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    if rigged_logits is not None:
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.zero_()
            model.classifier.bias.copy_(torch.tensor(rigged_logits))
    checkpoint = folder / "tiny.ckpt"
    torch.save(
        {
            "config": {
                "arch": {
                    "args": {
                        "model_type": "bert-base-uncased",
                        "model_name": "BertForSequenceClassification",
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": len(CLASSES),
                    }
                },
                "dataset": {"args": {"classes": CLASSES}},
            },
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint, folder
