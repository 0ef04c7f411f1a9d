mkdir -p "$$OUTPUT_DIR"
$launcher generate.py
