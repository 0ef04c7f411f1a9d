mkdir -p "$$OUTPUT_DIR"
$launcher train.py
