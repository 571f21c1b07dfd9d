"""Write gradtutor/data/corpus.txt, the small English corpus of the character-level model.

The text is simple prose about gradients, graphs, gates, apples and taxes: short sentences of a
few repeating shapes, so a small model can learn its spelling, its words and some of its
grammar within minutes. The arithmetic in it is correct. Run from the repository root:

    python scripts/make_corpus.py

The output is deterministic (fixed seed); the committed file is what the package ships.
"""

import random
from pathlib import Path

NAMES = [("Mina", "she"), ("Jun", "he"), ("Sora", "she"), ("Theo", "he"), ("Hana", "she"), ("Leo", "he"),
         ("Yuna", "she"), ("Ada", "she"), ("Min", "they"), ("Noah", "he"), ("Ella", "she"), ("Ravi", "he")]
FRUITS = [("apple", "apples", 100), ("orange", "oranges", 150), ("pear", "pears", 120), ("plum", "plums", 80)]
GATES = [
    ("add", "The add gate hands the same gradient to each of its inputs.",
     "It does not change the gradient; it only copies it to both sides."),
    ("multiply", "The multiply gate swaps its inputs.",
     "The gradient of one input is the other input times the upstream gradient."),
    ("max", "The max gate routes the gradient.",
     "The larger input gets all of it, and the smaller input gets nothing."),
    ("copy", "The copy gate sends one value to many places.",
     "On the way back it adds up the gradients that return to it."),
    ("exp", "The exp gate keeps its own output.",
     "Its local gradient is that output, so it multiplies the upstream gradient by it."),
    ("tanh", "The tanh gate squashes its input between minus one and one.",
     "Its local gradient is one minus the output squared."),
    ("sigmoid", "The sigmoid gate squashes its input between zero and one.",
     "Its local gradient is the output times one minus the output."),
    ("relu", "The relu gate lets positive values through and stops negative ones.",
     "It passes the gradient where the input was positive and blocks it elsewhere."),
]
STEADY = [
    "We walk the graph backward, from the loss to the inputs.",
    "Each node takes the gradient that comes from above.",
    "It multiplies that upstream gradient by its local gradient.",
    "The product flows down to the node below.",
    "A gradient always has the same shape as its variable.",
    "When a value is used twice, its gradients add up.",
    "The forward pass computes the values. The backward pass computes the gradients.",
    "A small learning rate takes small steps. A large one may jump over the valley.",
    "The loss falls when the weights move against the gradient.",
    "The chain rule is the whole idea: upstream times local gives downstream.",
    "A graph is made of nodes and edges. Values flow forward along the edges.",
    "Gradients flow back along the same edges, in the other direction.",
    "Every gate only needs to know its own local gradient.",
    "No gate needs to see the whole graph.",
]


def shopping(rng):
    name, pronoun = rng.choice(NAMES)
    fruit, fruits, price = rng.choice(FRUITS)
    count = rng.randint(1, 5)
    tax = rng.choice([5, 10, 10, 20])
    cost = count * price
    total = cost * (100 + tax) // 100
    things = fruit if count == 1 else fruits
    pays = "pay" if pronoun == "they" else "pays"
    return (f"{name} buys {count} {things} at {price} won each. "
            f"The {things} cost {cost} won. The tax is {tax} percent, so {pronoun} {pays} {total} won. "
            f"If the price of one {fruit} goes up by one won, the bill goes up by "
            f"{count * (100 + tax) / 100:g} won. That number is the gradient of the bill with respect to the price.")


def product(rng):
    x, y = rng.randint(-5, 6), rng.randint(-5, 6)
    upstream = rng.choice([1, 2, 3])
    return (f"Let x be {x} and y be {y}. Then x times y is {x * y}. "
            f"With an upstream gradient of {upstream}, the gradient of x is {y * upstream} "
            f"and the gradient of y is {x * upstream}. The multiply gate swapped them.")


def addition(rng):
    x, y = rng.randint(-9, 10), rng.randint(-9, 10)
    upstream = rng.choice([1, 2, 4])
    return (f"Let a be {x} and b be {y}. Then a plus b is {x + y}. "
            f"With an upstream gradient of {upstream}, both a and b get a gradient of {upstream}. "
            f"The add gate shared it.")


def maximum(rng):
    x, y = rng.sample(range(-9, 10), 2)
    big, small = ("x", "y") if x > y else ("y", "x")
    return (f"Let x be {x} and y be {y}. The max of x and y is {max(x, y)}. "
            f"On the way back, {big} gets the whole gradient and {small} gets zero.")


def gate(rng):
    name, first, second = rng.choice(GATES)
    return f"{first} {second}"


def training(rng):
    lr = rng.choice(["0.1", "0.01", "0.05", "0.001"])
    steps = rng.choice([10, 100, 1000])
    return (f"We train with a learning rate of {lr} for {steps} steps. "
            f"At each step we compute the loss, walk the graph backward, and move every weight "
            f"a little against its gradient. The loss goes down, slowly at first and then faster.")


PARAGRAPHS = [shopping, shopping, product, addition, maximum, gate, gate, training]


def corpus(target_bytes=30_000, seed=7):
    rng = random.Random(seed)
    paragraphs = []
    size = 0
    while size < target_bytes:
        kind = rng.choice(PARAGRAPHS)
        text = kind(rng)
        if rng.random() < 0.5:
            text += " " + rng.choice(STEADY)
        paragraphs.append(text)
        size += len(text) + 2
    return "\n\n".join(paragraphs) + "\n"


if __name__ == "__main__":
    path = Path(__file__).resolve().parents[1] / "gradtutor" / "data" / "corpus.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(corpus(), encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
