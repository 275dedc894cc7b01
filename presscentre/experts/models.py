from django.db import models


class InterviewRequest(models.Model):
    """A journalist's request to interview an expert, for the press office to arrange. The expert's name is kept
    as it was asked for, so the request still reads right if the person is later removed."""

    expert = models.ForeignKey(
        "newsroom.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="interview_requests"
    )
    expert_name = models.CharField(max_length=150)
    name = models.CharField("requester's name", max_length=150)
    outlet = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=50, blank=True)
    deadline = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(db_index=True)
    handled = models.BooleanField(default=False)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "interview request"

    def __str__(self) -> str:
        return f"{self.name} ({self.outlet}) for {self.expert_name}"
