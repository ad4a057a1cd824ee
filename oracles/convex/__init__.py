"""convex"""
