# LoRA / QLoRA supervised fine-tune with TRL (https://huggingface.co/docs/trl/clis)
pip install --upgrade pip
pip install "trl>=0.19" "peft>=0.11" "transformers>=4.44" datasets accelerate bitsandbytes
