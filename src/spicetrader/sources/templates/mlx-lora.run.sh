mkdir -p "$$OUTPUT_DIR" data
[ -f data/train.jsonl ] || python prepare_data.py
$convert
RESUME=""
if [ -f "$$OUTPUT_DIR/adapters.safetensors" ]; then
  RESUME="--resume-adapter-file $$OUTPUT_DIR/adapters.safetensors"
fi
mlx_lm.lora -c lora.yaml --model $model --train --data data --fine-tune-type lora \
  --iters $iters --batch-size $micro_batch --max-seq-length $seq_len \
  --adapter-path "$$OUTPUT_DIR" --save-every $save_every $grad_checkpoint $$RESUME
