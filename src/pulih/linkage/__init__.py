"""Identity resolution and screening: same person? on a screening list?"""
