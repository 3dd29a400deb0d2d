print("functions")
