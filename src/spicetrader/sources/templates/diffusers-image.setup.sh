# Text-to-image with diffusers (https://huggingface.co/docs/diffusers/using-diffusers/conditional_image_generation)
pip install --upgrade pip
pip install "diffusers>=0.30" transformers accelerate safetensors
