"""The instructor side: learners submit to a course folder; instructors autograde, track and see."""
