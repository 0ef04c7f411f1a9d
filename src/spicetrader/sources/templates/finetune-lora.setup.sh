# LoRA / QLoRA supervised fine-tune with TRL's SFTTrainer (https://huggingface.co/docs/trl/sft_trainer)
pip install --upgrade pip
pip install "trl>=0.19" "peft>=0.11" "transformers>=4.46" datasets accelerate bitsandbytes
