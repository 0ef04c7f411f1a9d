trl sft \
  --model_name_or_path "$$MODEL_ID" \
  --dataset_name "$$DATASET" \
  --use_peft --lora_r $lora_rank --lora_alpha $lora_alpha $quant_args \
  --per_device_train_batch_size $micro_batch \
  --max_length $seq_len $checkpointing_args \
  --num_train_epochs $epochs \
  $precision_args \
  --output_dir "$$OUTPUT_DIR"
